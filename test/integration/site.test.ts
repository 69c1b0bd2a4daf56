import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

const PAID_LINE = 'Quietly the Halvard cable consortium renegotiated its penalty clauses in August';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

function report(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Cable repair delays at Halvard',
    summary: 'The Halvard interconnector repair has slipped twice this autumn.',
    body: [
      'The Halvard repair slipped in September.',
      '',
      'It slipped again in October.',
      '',
      '<!-- paywall -->',
      '',
      `${PAID_LINE} and told nobody.`,
    ].join('\n'),
    tier: 'subscriber',
    series: 'harbour-ledger',
    tags: ['Cables'],
    publishAt: '2026-10-01T08:00:00Z',
    ...overrides,
  };
}

async function submit(json: Record<string, unknown>): Promise<{ id: string; slug: string }> {
  const response = await harness.api('/api/reports', { method: 'POST', json });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; slug: string };
}

async function site(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${harness.stack.apiUrl}${path}`, { headers });
}

describe('public site', () => {
  it('publishes tier-aware feeds, pages and the archive after a submit', async () => {
    const { slug } = await submit(report());
    await submit(
      report({
        title: 'Open letter on harbour tariffs',
        tier: 'complimentary',
        tags: ['Tariffs', 'Tech <AI>'],
        body: 'Everyone may read this letter in full.\n\nIt has two paragraphs.\n\nAnd a third one, public too.',
      }),
    );
    await harness.stack.drain();

    const rss = await site('/feeds/rss.xml');
    expect(rss.status).toBe(200);
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(rss.headers.get('cache-control')).toBe(harness.stack.publication.feedCacheControl);
    const text = await rss.text();
    expect(text).toContain('The full text of this report is available to subscribers.');
    expect(text).toContain('And a third one, public too.');
    expect(text).not.toContain('Halvard cable consortium');

    for (const [path, type] of [
      ['/feeds/atom.xml', 'application/atom+xml; charset=utf-8'],
      ['/feeds/feed.json', 'application/feed+json; charset=utf-8'],
      ['/feeds/tags/cables/rss.xml', 'application/rss+xml; charset=utf-8'],
      ['/feeds/tags/tech-ai/atom.xml', 'application/atom+xml; charset=utf-8'],
    ]) {
      const response = await site(path as string);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(await response.text()).not.toContain('Halvard cable consortium');
    }
    const json = (await (await site('/feeds/feed.json')).json()) as { version: string; items: unknown[] };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');

    const page = await site(`/reports/${slug}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('The full text of this report is available to subscribers.');
    expect(html).not.toContain('Halvard cable consortium');
    expect(await (await site('/')).text()).toContain('Cable repair delays at Halvard');
  });

  it('answers conditional GETs with 304 and keeps the ETag when nothing public changed', async () => {
    const first = await site('/feeds/rss.xml');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect((await site('/feeds/rss.xml', { 'if-none-match': etag })).status).toBe(304);
    const lastModified = first.headers.get('last-modified') ?? '';
    expect((await site('/feeds/rss.xml', { 'if-modified-since': lastModified })).status).toBe(304);

    // A scheduled report changes nothing public, so the feed keeps its bytes and its ETag.
    await submit(report({ title: 'Scheduled outlook', publishAt: '2030-01-01T08:00:00Z' }));
    await harness.stack.drain();
    expect((await site('/feeds/rss.xml')).headers.get('etag')).toBe(etag);
  });

  it('publishes a scheduled report when the sweeper passes its publishAt', async () => {
    const { slug } = await submit(report({ title: 'Winter capacity outlook', publishAt: '2031-01-05T08:00:00Z' }));
    await harness.stack.drain();
    expect(await (await site('/feeds/rss.xml')).text()).not.toContain('Winter capacity outlook');
    expect((await site(`/reports/${slug}/`)).status).toBe(404);

    await harness.stack.fireSchedule('release-sweeper', new Date('2031-01-05T08:01:00Z'));
    await harness.stack.drain();
    expect(await (await site('/feeds/rss.xml')).text()).toContain('Winter capacity outlook');
    expect((await site(`/reports/${slug}/`)).status).toBe(200);
  });

  it('makes a subscriber report complimentary after freeAfter, with the banner', async () => {
    const secret = 'Ballast pump failures were hidden from the harbour master for six weeks';
    const { slug } = await submit(
      report({
        title: 'Ballast pumps at Nerrin',
        freeAfter: 'P30D',
        publishAt: '2026-11-20T08:00:00Z',
        body: `Public one.\n\nPublic two.\n\n<!-- paywall -->\n\n${secret}.`,
      }),
    );
    await harness.stack.drain();
    expect(await (await site(`/reports/${slug}/`)).text()).not.toContain(secret);

    await harness.stack.fireSchedule('release-sweeper', new Date('2026-12-21T08:00:00Z'));
    await harness.stack.drain();
    const page = await (await site(`/reports/${slug}/`)).text();
    expect(page).toContain(secret);
    expect(page).toContain('This report is now a complimentary offering');
    expect(await (await site('/feeds/atom.xml')).text()).toContain(secret);
  });

  it('drops an unpublished report from every public artifact', async () => {
    const { id, slug } = await submit(report({ title: 'Short-lived dispatch', tags: ['Ephemeral'] }));
    await harness.stack.drain();
    expect(await (await site('/feeds/rss.xml')).text()).toContain('Short-lived dispatch');

    expect((await harness.api(`/api/reports/${id}`, { method: 'DELETE' })).status).toBe(200);
    await harness.stack.drain();
    for (const path of [
      '/feeds/rss.xml',
      '/feeds/atom.xml',
      '/feeds/feed.json',
      '/',
      '/feeds/tags/ephemeral/rss.xml',
    ]) {
      expect(await (await site(path)).text(), path).not.toContain('Short-lived dispatch');
    }
    expect((await site(`/reports/${slug}/`)).status).toBe(404);
  });

  it('keeps feeds well-formed under hostile titles, bodies and tags', async () => {
    await submit(
      report({
        title: 'Hostile \u0001 title ]]> <script>alert(1)</script> تقرير 🚢',
        summary: 'Summary with & ampersand, "quotes" and \u0007 bell.',
        tier: 'complimentary',
        tags: ['R&D', 'Tech <AI>', 'أمن'],
        body: 'Body with ]]> and <script>alert(2)</script> and \u0000 null.\n\n[bad](javascript:alert(3))',
      }),
    );
    await harness.stack.drain();
    const rss = await (await site('/feeds/rss.xml')).text();
    // eslint-disable-next-line no-control-regex -- the point is to look for control characters
    expect(rss).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    // Titles are plain text (inside CDATA); bodies are HTML, where markup must arrive escaped.
    expect(rss).toContain('&lt;script&gt;alert(2)');
    expect(rss).not.toContain('<script>alert(2)');
    expect(rss).not.toMatch(/href="javascript:/i);
    const json = (await (await site('/feeds/feed.json')).json()) as { items: { title: string }[] };
    expect(json.items.some((item) => item.title.includes('تقرير 🚢'))).toBe(true);
  });
});
