import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateReaders, startHarness, type Harness } from './harness';

/**
 * Issue 10, items 1 and 2, end to end: more reports than one edition takes go out over successive editions,
 * each exactly once; a report dated in the past but published now goes in the next edition and shows its
 * dateline; a `mail: false` report is never mailed.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

const READERS = ['reader-a@editions.test', 'reader-b@editions.test'];
const title = (n: number) => `Window report ${String(n).padStart(2, '0')}`;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await activateReaders(harness, READERS, 'free');
});

afterAll(async () => {
  await harness?.close();
});

async function submit(json: Record<string, unknown>): Promise<{ id: string; slug: string }> {
  const response = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      summary: 'A short public summary.',
      body: 'Everyone may read this.\n\nIt is complimentary.',
      tier: 'complimentary',
      series: 'grid-watch',
      ...json,
    },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; slug: string };
}

async function mailsTo(email: string): Promise<StoredMail[]> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.destination.to.includes(email));
}

/** `POST /api/digests` (draining the stack after each) until it answers 409; the editions' report ids. */
async function sendUntilNothingLeft(): Promise<string[][]> {
  const editions: string[][] = [];
  for (let round = 0; round < 10; round += 1) {
    const response = await harness.api('/api/digests', { method: 'POST', json: {} });
    if (response.status === 409) return editions;
    expect(response.status, await response.clone().text()).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await harness.stack.drain();
    const progress = (await (await harness.api(`/api/digests/${id}`)).json()) as { reportIds: string[] };
    editions.push(progress.reportIds);
  }
  throw new Error('POST /api/digests never answered 409');
}

const countIn = (mails: readonly StoredMail[], text: string) =>
  mails.filter((mail) => (mail.body.html ?? '').includes(text)).length;

describe('editions over a window with more reports than one edition takes', () => {
  it('mails each of 40 live reports exactly once to every reader, over successive editions, and never a mail: false one', async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 40; n += 1) {
      ids.push((await submit({ title: title(n) })).id);
      // An archive import among them: listed, never mailed, and not counted toward the cap.
      if (n === 5) await submit({ title: 'Archive import never mailed', mail: false });
    }
    await harness.stack.drain();

    const editions = await sendUntilNothingLeft();
    expect(editions.map((reportIds) => reportIds.length)).toEqual([30, 10]);
    // The oldest go first, and the union is every report once.
    expect(editions.flat()).toEqual(ids);

    for (const reader of READERS) {
      const mails = await mailsTo(reader);
      expect(mails).toHaveLength(2);
      for (let n = 1; n <= 40; n += 1) expect(countIn(mails, title(n)), `${reader}: ${title(n)}`).toBe(1);
      expect(countIn(mails, 'Archive import never mailed')).toBe(0);
    }
    // Listed publicly all the same.
    expect(await (await fetch(`${harness.stack.apiUrl}/feeds/rss.xml`)).text()).toContain(
      'Archive import never mailed',
    );
  });

  it('mails a report dated 30 October 2023 and published now in the next edition, showing its dateline', async () => {
    const before = Date.now();
    const dated = await submit({ title: 'The October 2023 substation survey', dateline: '2023-10-30' });
    const backDated = await submit({ title: 'Back-dated grid memo', publishAt: '2023-10-30T08:00:00Z' });
    await submit({ title: 'Another archive import', dateline: '2023-10-31', mail: false });
    await harness.stack.drain();

    const editions = await sendUntilNothingLeft();
    expect(editions).toEqual([[dated.id, backDated.id]]);

    for (const reader of READERS) {
      const mails = await mailsTo(reader);
      expect(mails).toHaveLength(3);
      const latest = mails.at(-1)?.body.html ?? '';
      expect(latest).toContain('The October 2023 substation survey');
      expect(latest).toMatch(/class="dateline"[^>]*>\s*30 October 2023/);
      expect(latest).toContain('Back-dated grid memo');
      expect(countIn(mails, 'Another archive import')).toBe(0);
    }

    // The page shows the dateline; the feed dates the item by go-live, so readers see it as new.
    const page = await (await fetch(`${harness.stack.apiUrl}/reports/${dated.slug}/`)).text();
    expect(page).toContain('<time datetime="2023-10-30">30 October 2023</time>');
    const feed = (await (await fetch(`${harness.stack.apiUrl}/feeds/feed.json`)).json()) as {
      items: { title: string; date_published: string; content_html: string }[];
    };
    const item = feed.items.find((candidate) => candidate.title === 'The October 2023 substation survey');
    expect(Date.parse(item?.date_published ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(item?.content_html).toContain('30 October 2023');
  });
});
