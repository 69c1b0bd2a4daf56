import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

/**
 * Issue 14's preview of a draft as each reader tier gets it, end to end through the local gateway and authorizer:
 * the feed item from reports-api (`POST /api/reports/preview`) and the email block from digests-api
 * (`POST /api/digests/preview-report`). Neither stores, claims or sends anything.
 */
const PUBLIC_SENTENCE = 'Night arrivals at Port Ardent stopped on Tuesday when harbour pilots walked out.';
const MARKER = 'Ledger entry KESTREL-4471 shows the strike fund covers nineteen more nights of action.';
const BODY = `${PUBLIC_SENTENCE}\n\nDay traffic continues.\n\n<!-- paywall -->\n\n## What the ledger shows\n\n${MARKER}\n`;

interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}
interface FeedItem {
  contentHtml: string;
  rss: string;
}
interface Mail {
  subject: string;
  html: string;
  text: string;
  shortenedReportIds: string[];
}

let harness: Harness;
let editorToken: string;

async function answer<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

function draft(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Harbour pilots strike halts night arrivals',
    summary: 'Arrivals after dark are suspended.',
    tier: 'subscriber',
    series: 'grid-watch',
    tags: ['ports'],
    authors: ['Mara Quill'],
    body: BODY,
    ...overrides,
  };
}

const post = (path: string, json: unknown, token: string | null = editorToken) =>
  harness.api(path, { method: 'POST', json, token });

beforeAll(async () => {
  harness = await startHarness();
  const created = await answer<{ token: string }>(
    await harness.api('/api/editors', { method: 'POST', json: { name: 'Desk Editor', role: 'editor' } }),
    201,
  );
  editorToken = created.token;
});

afterAll(async () => {
  await harness?.close();
});

describe('POST /api/reports/preview: the feed item per tier', () => {
  it('gives the free item the public part and the notice, the paid item the whole report', async () => {
    const preview = await answer<{ publicHtml: string; feedItem: { free: FeedItem; paid: FeedItem } }>(
      await post('/api/reports/preview', draft()),
      200,
    );
    const { free, paid } = preview.feedItem;
    for (const text of [free.rss, free.contentHtml]) {
      expect(text).toContain(PUBLIC_SENTENCE);
      expect(text).toContain('The full text of this report is available to subscribers.');
      expect(text).not.toContain('KESTREL-4471');
    }
    for (const text of [paid.rss, paid.contentHtml]) {
      expect(text).toContain(PUBLIC_SENTENCE);
      expect(text).toContain(MARKER);
    }
    expect(free.rss).toMatch(/^<item>[\s\S]*<title><!\[CDATA\[Harbour pilots strike halts night arrivals\]\]>/);
    expect(free.rss).toMatch(/<guid isPermaLink="false">urn:dispatch:report:[0-9A-Z]{26}<\/guid>[\s\S]*<\/item>$/);
    expect(preview.publicHtml).not.toContain('KESTREL-4471');
  });

  it('stores nothing and claims no slug', async () => {
    await answer(await post('/api/reports/preview', draft({ slug: 'preview-only-slug' })), 200);
    const lookup = await answer<{ items: unknown[] }>(await harness.api('/api/reports?slug=preview-only-slug'), 200);
    expect(lookup.items).toEqual([]);
  });
});

describe('POST /api/digests/preview-report: the email block per tier', () => {
  it('answers a one-report edition per tier: the marker in the paid mail only, the preview links in both', async () => {
    const mail = await answer<{ free: Mail; paid: Mail }>(await post('/api/digests/preview-report', draft()), 200);
    expect(Object.keys(mail).sort()).toEqual(['free', 'paid']);
    for (const tier of [mail.free, mail.paid]) {
      expect(Object.keys(tier).sort()).toEqual(['html', 'shortenedReportIds', 'shortenedReports', 'subject', 'text']);
      // One report fits the clip rule's budget: nothing is shortened.
      expect(tier.shortenedReportIds).toEqual([]);
      expect(tier.subject).toContain('Harbour pilots strike halts night arrivals');
      expect(tier.html).toContain(PUBLIC_SENTENCE);
      expect(tier.html).toContain(`${harness.stack.apiUrl}/api/unsubscribe?token=preview`);
    }
    for (const part of [mail.free.html, mail.free.text, mail.free.subject]) expect(part).not.toContain('KESTREL-4471');
    expect(mail.paid.html).toContain(MARKER);
    expect(mail.paid.text).toContain('KESTREL-4471');
    expect(mail.paid.html).toContain(`${harness.stack.apiUrl}/feeds/private/preview/rss.xml`);
  });

  it('shows a complimentary report in full to free readers too', async () => {
    const body = `${PUBLIC_SENTENCE}\n\n${MARKER}`;
    const mail = await answer<{ free: Mail; paid: Mail }>(
      await post('/api/digests/preview-report', draft({ tier: 'complimentary', body })),
      200,
    );
    expect(mail.free.html).toContain(MARKER);
  });

  it('sends nothing and records no edition', async () => {
    const inbox = async () =>
      ((await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: unknown[] }).emails.length;
    const editions = async () => (await answer<{ items: unknown[] }>(await harness.api('/api/digests'), 200)).items;
    const [mailsBefore, editionsBefore] = [await inbox(), await editions()];
    await answer(await post('/api/digests/preview-report', draft()), 200);
    expect(await inbox()).toBe(mailsBefore);
    expect(await editions()).toEqual(editionsBefore);
  });
});

describe('both routes validate the draft alike', () => {
  it.each([
    ['a missing title', draft({ title: undefined }), 422, 'title'],
    ['an unknown series', draft({ series: 'no-such-series' }), 422, 'series'],
    ['an undefined footnote', draft({ body: `One.[^7]\n\nTwo.\n\n<!-- paywall -->\n\n${MARKER}` }), 422, 'body'],
    ['a mistyped marker', draft({ body: `One.\n\nTwo.\n\n<!-- paywal -->\n\n${MARKER}` }), 422, 'body'],
  ])('answers %s with the same %i naming the field', async (_what, json, status, field) => {
    const page = await answer<ErrorBody>(await post('/api/reports/preview', json), status);
    const mail = await answer<ErrorBody>(await post('/api/digests/preview-report', json), status);
    expect(mail).toEqual(page);
    expect(mail.error.fields?.map((problem) => problem.field)).toContain(field);
  });

  it('names the line of an undefined footnote', async () => {
    const json = draft({ body: `One.\n\nTwo cites [^7].\n\n<!-- paywall -->\n\n${MARKER}` });
    const mail = await answer<ErrorBody>(await post('/api/digests/preview-report', json), 422);
    expect(mail.error.fields).toEqual([
      { field: 'body', message: expect.stringMatching(/^line 3 cites footnote \[\^7\], which is never defined/) },
    ]);
  });

  it('answers a body that is not JSON with the same 400', async () => {
    const send = (path: string) =>
      harness.api(path, { method: 'POST', body: '{"title":', headers: { 'content-type': 'application/json' } });
    const page = await answer<ErrorBody>(await send('/api/reports/preview'), 400);
    expect(await answer<ErrorBody>(await send('/api/digests/preview-report'), 400)).toEqual(page);
  });
});

describe('access', () => {
  it.each(['/api/reports/preview', '/api/digests/preview-report'])('%s without a token is 401', async (path) => {
    expect((await answer<ErrorBody>(await post(path, draft(), null), 401)).error.code).toBe('unauthorized');
  });

  it.each(['/api/reports/preview', '/api/digests/preview-report'])('%s with an unknown token is 401', async (path) => {
    expect((await post(path, draft(), 'not-a-token')).status).toBe(401);
  });

  it('opens the email preview to an editor, while the rest of the digests API stays admin-only', async () => {
    await answer(await post('/api/digests/preview-report', draft()), 200);
    const admin = await harness.api('/api/digests/preview?tier=free', { token: editorToken });
    expect((await answer<ErrorBody>(admin, 403)).error.code).toBe('forbidden');
  });
});
