import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscribersStore } from '../../lambdas/adapters/subscribers-store';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import { memberSessionVersionOf } from '../../lambdas/core/subscribers/subscribers';
import { longEdition } from '../fixtures/long-edition';
import { activateReaders, startHarness, type Harness } from './harness';

/**
 * Issue 15 items 3 and 4 end to end: the planner publishes each edition as web pages, served through the local
 * gateway (its edge plays CloudFront's pretty-URL rewrite and the `/members/*` behaviour), every mail says where
 * to read it in a browser, and no mail is clipped.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

const FREE_MARKER = 'PLOVER-2290 public gauge note';
const PREVIEW_MARKER = 'The gauge readings at Plover Reach came in twice.';
const PAID_MARKER = 'GANNET-8814';
const READERS = { free: 'free.reader@edition-pages.test', paid: 'paid.reader@edition-pages.test' } as const;
const CLIP_BUDGET_BYTES = 90 * 1024;

let harness: Harness;
let dynamo: DynamoDBClient;
let editionId: string;
let complimentaryId: string;
let subscriberReportId: string;

const url = (path: string) => `${harness.stack.apiUrl}${path}`;
const get = (path: string, cookie?: string) =>
  fetch(url(path), { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } });

async function mails(): Promise<StoredMail[]> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.destination.to.some((to) => to.endsWith('@edition-pages.test')));
}

async function submit(json: Record<string, unknown>): Promise<string> {
  const response = await harness.api('/api/reports', { method: 'POST', json });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function sendEdition(): Promise<string> {
  const accepted = await harness.api('/api/digests', { method: 'POST', json: {} });
  expect(accepted.status, await accepted.clone().text()).toBe(202);
  const { id } = (await accepted.json()) as { id: string };
  await harness.stack.drain();
  return id;
}

/** A session cookie as the sign-in sets it (members.test.ts signs in through the mailed link end to end). */
let sessionCookie: (email: string) => Promise<string>;

beforeAll(async () => {
  harness = await startHarness();
  const { endpoints } = harness.stack;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  dynamo = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials });
  const store = new SubscribersStore(DynamoDBDocumentClient.from(dynamo), endpoints.tables.Subscribers as string);
  const tokens = new SubscriberTokens((await readFile(join(harness.dataDir, 'token-secret'), 'utf8')).trim());
  sessionCookie = async (email) => {
    const reader = await store.get(email);
    if (!reader) throw new Error(`No subscriber ${email}`);
    return `dispatch_member=${tokens.sessionToken(reader.subscriberId, memberSessionVersionOf(reader), new Date())}`;
  };

  await activateReaders(harness, [READERS.free], 'free');
  await activateReaders(harness, [READERS.paid], 'paid');
  complimentaryId = await submit({
    title: 'Plover Reach gauges are public again',
    summary: 'The gauges at Plover Reach publish again.',
    body: `The agency restored the feed.\n\n${FREE_MARKER}: readings every hour.`,
    tier: 'complimentary',
    series: 'grid-watch',
  });
  subscriberReportId = await submit({
    title: 'Who doubled the Plover readings',
    summary: 'Every reading arrived twice for a week.',
    body: `${PREVIEW_MARKER}\n\nThe agency blamed a relay.\n\n<!-- paywall -->\n\nThe maintenance log names override ${PAID_MARKER}, keyed in by hand.`,
    tier: 'subscriber',
    series: 'grid-watch',
  });
  await harness.stack.drain();
  editionId = await sendEdition();
});

afterAll(async () => {
  dynamo?.destroy();
  await harness?.close();
});

describe('edition pages', () => {
  it('serves the free edition at /editions/{id}/: free text and the preview with the notice, no paid text', async () => {
    const response = await get(`/editions/${editionId}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain(FREE_MARKER);
    expect(html).toContain(PREVIEW_MARKER);
    expect(html).toContain('class="subscribe-link"');
    expect(html).not.toContain(PAID_MARKER);
    // The slashless form redirects to the page, as CloudFront's function does.
    const bare = await get(`/editions/${editionId}`);
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe(`/editions/${editionId}/`);
  });

  it('lists the edition at /editions/', async () => {
    const response = await get('/editions/');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(url(`/editions/${editionId}/`));
    expect(html).toContain('Who doubled the Plover readings');
  });

  it('serves the full edition at /members/editions/{id}/ to a signed-in paid reader only', async () => {
    const paid = await get(`/members/editions/${editionId}/`, await sessionCookie(READERS.paid));
    expect(paid.status).toBe(200);
    const full = await paid.text();
    expect(full).toContain(PAID_MARKER);
    expect(full).toContain(FREE_MARKER);
    for (const cookie of [undefined, await sessionCookie(READERS.free)]) {
      const other = await get(`/members/editions/${editionId}/`, cookie);
      expect(await other.text()).not.toContain(PAID_MARKER);
    }
  });

  it('puts "View in browser" at the top of each mail, to the page of its tier', async () => {
    const all = await mails();
    const link = (mail: StoredMail | undefined) =>
      /<a href="([^"]+)"[^>]*>View in browser<\/a>/.exec(mail?.body.html ?? '')?.[1];
    const [free] = all.filter((mail) => mail.destination.to.includes(READERS.free));
    const [paid] = all.filter((mail) => mail.destination.to.includes(READERS.paid));
    expect(link(free)).toBe(url(`/editions/${editionId}/`));
    expect(link(paid)).toBe(url(`/members/editions/${editionId}/`));
    expect(free?.body.html).not.toContain(PAID_MARKER);
  });
});

describe('edition pages after a report in them changes', () => {
  it('rewrites the pages of a sent edition: a correction to subscriber-only and an unpublish leave the public ones', async () => {
    const corrected = await harness.api(`/api/reports/${complimentaryId}`, {
      method: 'PUT',
      json: {
        title: 'Plover Reach gauges are public again',
        summary: 'The gauges at Plover Reach publish again.',
        body: `The agency restored the feed.\n\n<!-- paywall -->\n\n${FREE_MARKER}: readings every hour.`,
        tier: 'subscriber',
        series: 'grid-watch',
      },
    });
    expect(corrected.status, await corrected.clone().text()).toBe(200);
    const unpublished = await harness.api(`/api/reports/${subscriberReportId}`, { method: 'DELETE' });
    expect(unpublished.status).toBe(200);
    await harness.stack.drain();

    const page = await get(`/editions/${editionId}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('The agency restored the feed.');
    expect(html).not.toContain(FREE_MARKER);
    for (const gone of [PREVIEW_MARKER, 'Who doubled the Plover readings', PAID_MARKER])
      expect(html).not.toContain(gone);
    expect(await (await get('/editions/')).text()).not.toContain('Who doubled the Plover readings');
    // The paid page follows too: the corrected text in full, nothing of the unpublished report.
    const paid = await (await get(`/members/editions/${editionId}/`, await sessionCookie(READERS.paid))).text();
    expect(paid).toContain(FREE_MARKER);
    expect(paid).not.toContain(PAID_MARKER);
  });
});

describe('the clip rule', () => {
  it('keeps every HTML mail of a 30-long-report edition within 90 KB', async () => {
    const before = new Set((await mails()).map((mail) => JSON.stringify(mail)));
    // The edition-size fixture's reports, through the API as an editor would write them (its HTML as Markdown).
    const text = (html: string): string =>
      html
        .split(/<\/p>|<\/h2>/)
        .map((part) => part.replace(/<sup[\s\S]*?<\/sup>|<[^>]+>/g, '').trim())
        .filter((part) => part.length > 0)
        .join('\n\n');
    for (const { record, paid } of longEdition()) {
      await submit({
        title: record.title,
        summary: record.summary,
        body: paid
          ? `${text(record.publicHtml)}\n\n<!-- paywall -->\n\n${text(paid.fullHtml.slice(record.publicHtml.length))}`
          : text(record.publicHtml),
        tier: record.tier,
        series: 'grid-watch',
      });
    }
    await harness.stack.drain();
    // The editor's preview names the reports the clip rule shortened, the last ones in the mail.
    for (const tier of ['free', 'paid'] as const) {
      const preview = (await (await harness.api(`/api/digests/preview?tier=${tier}`)).json()) as {
        html: string;
        shortenedReportIds: string[];
        shortenedReports: { id: string; title: string }[];
      };
      expect(preview.shortenedReportIds.length).toBeGreaterThan(0);
      expect(preview.shortenedReportIds.length).toBeLessThan(30);
      expect(preview.shortenedReports.map((report) => report.id)).toEqual(preview.shortenedReportIds);
      expect(preview.shortenedReports[0]?.title).toMatch(/^Interconnector filings, week \d+/);
      expect(Buffer.byteLength(preview.html, 'utf8')).toBeLessThanOrEqual(CLIP_BUDGET_BYTES);
      expect(preview.html).toMatch(
        tier === 'free' ? /href="[^"]+\/editions\/preview-\d+\/"/ : /href="[^"]+\/members\/editions\/preview-\d+\/"/,
      );
    }
    const id = await sendEdition();
    const fresh = (await mails()).filter((mail) => !before.has(JSON.stringify(mail)));
    expect(fresh).toHaveLength(2);
    for (const mail of fresh) {
      const bytes = Buffer.byteLength(mail.body.html ?? '', 'utf8');
      expect(bytes).toBeGreaterThan(20 * 1024);
      expect(bytes).toBeLessThanOrEqual(CLIP_BUDGET_BYTES);
      expect(mail.body.html).toContain('Read the full report');
    }
    // The pages carry the whole edition: the web has no clip.
    expect((await get(`/editions/${id}/`)).status).toBe(200);
  }, 120_000);
});
