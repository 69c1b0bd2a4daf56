import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from 'xml-js';
import { startHarness, type Harness } from './harness';
import { xmlProblems } from '../fixtures/strict-xml';
import { attribute, child, childrenNamed, findAll, parseXml, textOf } from '../fixtures/xml-tree';

/** Subscriber-only text: it must reach no public file, series feeds and pages included. */
const PAID_LINE = 'Ferrymen at Oskarhamn were paid twice for the same sailings under the Veld charter';
const SERIES_FILES = [
  ['rss.xml', 'application/rss+xml; charset=utf-8'],
  ['atom.xml', 'application/atom+xml; charset=utf-8'],
  ['feed.json', 'application/feed+json; charset=utf-8'],
] as const;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

function report(overrides: Record<string, unknown>) {
  return {
    summary: 'A summary every reader may see.',
    body: 'A public paragraph.\n\nA second public paragraph.\n\nA third, public as well.',
    tier: 'complimentary',
    tags: ['Series test'],
    publishAt: '2026-10-01T08:00:00Z',
    ...overrides,
  };
}

async function submit(json: Record<string, unknown>): Promise<{ id: string; slug: string }> {
  const response = await harness.api('/api/reports', { method: 'POST', json });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; slug: string };
}

async function site(path: string): Promise<Response> {
  return fetch(`${harness.stack.apiUrl}${path}`, { redirect: 'manual' });
}

interface SeriesFeeds {
  /** Item titles in each format, in feed order. */
  rss: string[];
  atom: string[];
  json: string[];
  raw: string[];
}

/** The three files of a series feed through the gateway, checked well-formed and parsed as a reader would. */
async function seriesFeeds(id: string): Promise<SeriesFeeds> {
  const raw: string[] = [];
  for (const [file, type] of SERIES_FILES) {
    const response = await site(`/feeds/series/${id}/${file}`);
    expect(response.status, file).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('cache-control')).toBe(harness.stack.publication.feedCacheControl);
    raw.push(await response.text());
  }
  const [rss = '', atom = '', json = ''] = raw;
  expect(xmlProblems(rss)).toEqual([]);
  expect(xmlProblems(atom)).toEqual([]);
  const channel = child(child(parseXml(rss), 'rss'), 'channel');
  const series = harness.stack.publication.series.find((candidate) => candidate.id === id);
  expect(textOf(child(channel, 'title'))).toBe(`${harness.stack.publication.name}: ${series?.name ?? ''}`);
  expect(textOf(child(channel, 'description'))).toBe(series?.blurb);
  expect(attribute(child(channel, 'atom:link'), 'href')).toBe(
    `${harness.stack.publication.siteUrl}/feeds/series/${id}/rss.xml`,
  );
  const feed = child(parseXml(atom), 'feed');
  const self = childrenNamed(feed, 'link').find((link) => attribute(link, 'rel') === 'self');
  expect(self && attribute(self, 'href')).toBe(`${harness.stack.publication.siteUrl}/feeds/series/${id}/atom.xml`);
  const document = JSON.parse(json) as { version: string; feed_url: string; items: { title: string }[] };
  expect(document.version).toBe('https://jsonfeed.org/version/1.1');
  expect(document.feed_url).toBe(`${harness.stack.publication.siteUrl}/feeds/series/${id}/feed.json`);
  const titles = (items: Element[]) => items.map((item) => textOf(child(item, 'title')));
  return {
    rss: titles(findAll(channel, 'item')),
    atom: titles(findAll(feed, 'entry')),
    json: document.items.map((item) => item.title),
    raw,
  };
}

function expectTitles(feeds: SeriesFeeds, titles: string[]): void {
  expect(feeds.rss).toEqual(titles);
  expect(feeds.atom).toEqual(titles);
  expect(feeds.json).toEqual(titles);
}

describe('series feeds and pages', () => {
  let moved: { id: string; slug: string };

  it('gives each series feeds that parse and hold only its own public reports, without paid text', async () => {
    // In the series' index but not public yet: the series read must leave it out.
    await submit(report({ title: 'Scheduled grid outlook', series: 'grid-watch', publishAt: '2031-01-01T08:00:00Z' }));
    await submit(report({ title: 'Grid reserve margins in October', series: 'grid-watch' }));
    moved = await submit(
      report({
        title: 'Double payments on the Veld ferry charter',
        series: 'harbour-ledger',
        tier: 'subscriber',
        publishAt: '2026-10-02T08:00:00Z',
        body: `The charter was renewed in May.\n\nAudits began in July.\n\n<!-- paywall -->\n\n${PAID_LINE}, the audit says.`,
      }),
    );
    await submit(
      report({ title: 'Harbour dues for 2027', series: 'harbour-ledger', publishAt: '2026-09-01T08:00:00Z' }),
    );
    await harness.stack.drain();

    const grid = await seriesFeeds('grid-watch');
    expectTitles(grid, ['Grid reserve margins in October']);
    const harbour = await seriesFeeds('harbour-ledger');
    // Newest go-live first: a past publishAt goes live at intake, so in the order of the submits.
    expectTitles(harbour, ['Harbour dues for 2027', 'Double payments on the Veld ferry charter']);
    for (const body of [...grid.raw, ...harbour.raw]) expect(body).not.toContain('paid twice for the same sailings');
    // Tier-aware like the main feed: the subscriber report is its preview and the notice.
    expect(harbour.raw[0]).toContain('Audits began in July.');
    expect(harbour.raw[0]).toContain('The full text of this report is available to subscribers.');
  });

  it('serves the series page with its blurb, link, feeds and reports, and links report pages to it', async () => {
    const response = await site('/series/harbour-ledger/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe(harness.stack.publication.pageCacheControl);
    const html = await response.text();
    const series = harness.stack.publication.series.find((candidate) => candidate.id === 'harbour-ledger');
    const base = harness.stack.publication.siteUrl;
    expect(html).toContain('<h1>Harbour Ledger</h1>');
    expect(html).toContain(`<a href="${series?.link ?? ''}">About Harbour Ledger</a>`);
    expect(html).toContain(`<link rel="alternate" type="application/rss+xml" title="Harbour Ledger — `);
    expect(html).toContain(`href="${base}/feeds/series/harbour-ledger/atom.xml"`);
    expect(html).toContain(`<a href="${base}/reports/${moved.slug}/">Double payments on the Veld ferry charter</a>`);
    expect(html).toContain('Harbour dues for 2027');
    expect(html).not.toContain('Grid reserve margins');
    expect(html).not.toContain('paid twice for the same sailings');

    const page = await (await site(`/reports/${moved.slug}/`)).text();
    expect(page).toContain(`<a href="${base}/series/harbour-ledger/">Harbour Ledger</a>`);
  });

  it('redirects the series URL without its slash, and answers 404 for a series nobody configured', async () => {
    const redirect = await site('/series/harbour-ledger');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/series/harbour-ledger/');
    expect((await site('/series/no-such-series/')).status).toBe(404);
    expect((await site('/feeds/series/no-such-series/rss.xml')).status).toBe(404);
  });

  it('moves a report between the two series’ feeds and pages when its series changes', async () => {
    const current = (await (await harness.api(`/api/reports/${moved.id}`)).json()) as { revision: number };
    const put = await harness.api(`/api/reports/${moved.id}`, {
      method: 'PUT',
      json: report({
        title: 'Double payments on the Veld ferry charter',
        series: 'grid-watch',
        tier: 'subscriber',
        publishAt: '2026-10-02T08:00:00Z',
        body: `The charter was renewed in May.\n\nAudits began in July.\n\n<!-- paywall -->\n\n${PAID_LINE}, the audit says.`,
      }),
      headers: { 'if-match': `"${current.revision}"` },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    await harness.stack.drain();

    expectTitles(await seriesFeeds('grid-watch'), [
      'Double payments on the Veld ferry charter',
      'Grid reserve margins in October',
    ]);
    expectTitles(await seriesFeeds('harbour-ledger'), ['Harbour dues for 2027']);
    expect(await (await site('/series/harbour-ledger/')).text()).not.toContain('Veld ferry charter');
    const grid = await (await site('/series/grid-watch/')).text();
    expect(grid).toContain('Double payments on the Veld ferry charter');
    expect(grid).not.toContain('paid twice for the same sailings');
  });
});
