import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

/**
 * Issue 16 item 2, digest side, end to end on the local stack: an edition carries only a reader's series, a
 * reader with none of them gets no mail and the edition still completes, and the manage link in every mail
 * opens the page where a reader drops a series for the next edition.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

const ALL = 'all@series-digest.test';
const ONLY_A = 'only-a@series-digest.test';
const NONE = 'none@series-digest.test';
const A = 'grid-watch';
const MANAGE_TEXT = 'Choose your series or unsubscribe';

let harness: Harness;

async function mailsTo(email: string): Promise<StoredMail[]> {
  const response = await fetch(`${harness.stack.sesUrl}/store`);
  const { emails } = (await response.json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.destination.to.includes(email));
}

async function reader(email: string, tier: 'free' | 'paid', series?: string[]): Promise<void> {
  const response = await harness.api(`/api/subscribers/${encodeURIComponent(email)}`, {
    method: 'PUT',
    json: { tier, status: 'active', ...(series ? { series } : {}) },
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function submit(title: string, series: string): Promise<void> {
  const response = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title,
      summary: `${title}: the short public summary.`,
      body: `${title} opens here.\n\nA second paragraph.`,
      tier: 'complimentary',
      series,
      tags: ['series digest'],
    },
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

/** Sends the next edition now and waits for every mail; returns its counters as the API shows them. */
async function sendEdition(): Promise<Record<string, unknown>> {
  await harness.stack.drain();
  const accepted = await harness.api('/api/digests', { method: 'POST', json: {} });
  expect(accepted.status, await accepted.clone().text()).toBe(202);
  const { id } = (await accepted.json()) as { id: string };
  await harness.stack.drain();
  return (await (await harness.api(`/api/digests/${id}`)).json()) as Record<string, unknown>;
}

/** The manage link as a reader clicks it: the href of the footer's link, HTML-unescaped. */
function manageLink(mail: StoredMail): string {
  const match = new RegExp(`<a href="([^"]+)"[^>]*>${MANAGE_TEXT}</a>`).exec(mail.body.html ?? '');
  expect(match, 'the manage link in the HTML part').not.toBeNull();
  return (match?.[1] ?? '').replaceAll('&amp;', '&');
}

beforeAll(async () => {
  harness = await startHarness();
  await reader(ALL, 'paid');
  await reader(ONLY_A, 'free', [A]);
  await reader(NONE, 'free', []);
});

afterAll(async () => {
  await harness?.close();
});

describe('editions by series', () => {
  it('gives each reader only the reports of their series, and nothing to a reader of none; the edition completes', async () => {
    await submit('Grid reserve margins tighten', A);
    await submit('Harbour dues rise in Veld', 'harbour-ledger');
    const progress = await sendEdition();
    expect(progress).toMatchObject({ status: 'sent', recipients: 3, sent: 2, failed: 0, noSeries: 1 });

    const [all] = await mailsTo(ALL);
    expect(all?.body.text).toContain('Grid reserve margins tighten');
    expect(all?.body.text).toContain('Harbour dues rise in Veld');
    const onlyA = await mailsTo(ONLY_A);
    expect(onlyA).toHaveLength(1);
    expect(onlyA[0]?.body.text).toContain('Grid reserve margins tighten');
    expect(`${onlyA[0]?.subject}\n${onlyA[0]?.body.html}\n${onlyA[0]?.body.text}`).not.toContain('Harbour dues');
    expect(await mailsTo(NONE)).toEqual([]);
  });

  it('puts the reader’s own manage link in the HTML and text of both tiers', async () => {
    const [paid] = await mailsTo(ALL);
    const [free] = await mailsTo(ONLY_A);
    for (const mail of [paid, free] as StoredMail[]) {
      const link = manageLink(mail);
      expect(link).toMatch(/\/api\/subscribers\/manage\?token=[^&\s]+$/);
      expect(mail.body.text).toContain(link);
      expect(mail.body.text?.toLowerCase()).toContain(MANAGE_TEXT.toLowerCase());
    }
    expect(manageLink(paid as StoredMail)).not.toBe(manageLink(free as StoredMail));
  });

  it('opens the manage page from the mail; dropping series B there leaves B out of the next edition', async () => {
    const [mail] = await mailsTo(ALL);
    const link = manageLink(mail as StoredMail);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<input type="checkbox" name="series" value="harbour-ledger" checked>');

    const saved = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['series', A]]).toString(),
    });
    expect(saved.status).toBe(200);

    await submit('Grid interconnector back to normal', A);
    await submit('Harbour pilots strike in Veld', 'harbour-ledger');
    const progress = await sendEdition();
    expect(progress).toMatchObject({ status: 'sent', recipients: 3, sent: 2, noSeries: 1 });

    const mails = await mailsTo(ALL);
    expect(mails).toHaveLength(2);
    const next = mails.find((candidate) => candidate.body.text?.includes('Grid interconnector back to normal'));
    expect(next, 'the second edition reached the reader').toBeDefined();
    expect(`${next?.subject}\n${next?.body.html}\n${next?.body.text}`).not.toContain('Harbour pilots strike');
    expect(await mailsTo(NONE)).toEqual([]);
  });
});
