import { describe, expect, it } from 'vitest';
import { parseReportInput, prepareReport } from '../../lambdas/core/reports/intake';
import { parsePublication } from '../../lambdas/core/shared/publication';
import { planPublish } from '../../lambdas/core/site/publishing';
import type { ReportRecord } from '../../lambdas/core/reports/report';
import { SitePublisher, type PublishedReports, type SiteFiles } from '../../lambdas/core/site/site-publisher';
import { renderArchivePage, renderReportPage } from '../../lambdas/core/site/pages';
import { renderFeeds } from '../../lambdas/core/site/feeds/render-feeds';
import { renderSeriesPage } from '../../lambdas/core/site/series-page';
import { attribute, child, findAll, parseXml, textOf } from '../fixtures/xml-tree';
import cdkJson from '../../cdk.json';

const publication = parsePublication(cdkJson.context.dispatch);
const NOW = new Date('2026-11-24T12:00:00Z');
const PAID = 'The harbour authority quietly waived the Corvin fines after a private meeting with the operator';

function subscriberRecord(): ReportRecord {
  const parsed = parseReportInput(
    {
      title: 'Corvin fines',
      summary: 'What happened to the Corvin fines.',
      body: `Fines were issued in March.\n\nThey were due in June.\n\n<!-- paywall -->\n\n${PAID}, records show.`,
      tier: 'subscriber',
      series: 'harbour-ledger',
      tags: ['Fines'],
    },
    publication,
  );
  if (!parsed.ok) throw new Error('invalid fixture');
  return prepareReport(
    parsed.input,
    { id: '01JCORVIN00000000000000000', slug: 'corvin-fines', revision: 1, createdAt: NOW.toISOString() },
    publication,
    NOW,
  ).record;
}

class MemorySite implements SiteFiles {
  readonly files = new Map<string, string>();
  async putIfChanged(key: string, body: string) {
    if (this.files.get(key) === body) return 'unchanged' as const;
    this.files.set(key, body);
    return 'written' as const;
  }
  async exists(key: string) {
    return this.files.has(key);
  }
  async delete(key: string) {
    this.files.delete(key);
  }
}

function reportsOf(records: ReportRecord[]): PublishedReports {
  return {
    latestPublished: async () => records,
    latestPublishedWithTag: async () => records,
    latestPublishedInSeries: async (id) => records.filter((record) => record.series === id),
    get: async (id) => records.find((record) => record.id === id),
  };
}

const plan = (record: ReportRecord) => planPublish([{ after: { record, listed: true } }]);

describe('SitePublisher leak scan', () => {
  it('publishes a correct preview and never the paid text', async () => {
    const record = subscriberRecord();
    const site = new MemorySite();
    const result = await new SitePublisher(reportsOf([record]), site, publication).publish(plan(record));
    expect(result.blocked).toEqual([]);
    expect(site.files.get('feeds/rss.xml')).toContain('They were due in June.');
    for (const body of site.files.values()) expect(body).not.toContain('quietly waived');
  });

  it('withholds a file whose frame a buggy renderer leaks paid text into, and still writes the rest', async () => {
    const record = subscriberRecord();
    const site = new MemorySite();
    // A renderer bug: the feed renderer appends text it should never have had.
    const leakyFeeds: typeof renderFeeds = (views, options) => {
      const feeds = renderFeeds(views, options);
      return {
        ...feeds,
        rss: feeds.rss.replace('</channel>', `<item><description>${PAID}</description></item></channel>`),
      };
    };
    const publisher = new SitePublisher(reportsOf([record]), site, publication, {
      feeds: leakyFeeds,
      reportPage: renderReportPage,
      archive: renderArchivePage,
    });
    const result = await publisher.publish(plan(record));
    expect(result.blocked.map((blocked) => blocked.artifact).sort()).toEqual([
      'feeds/rss.xml',
      'feeds/series/harbour-ledger/rss.xml',
      'feeds/tags/fines/rss.xml',
    ]);
    expect(result.blocked[0]).toMatchObject({ reportIds: [record.id], action: 'withheld' });
    expect(site.files.has('feeds/rss.xml')).toBe(false);
    expect(site.files.has('feeds/atom.xml')).toBe(true);
    expect(site.files.has('reports/corvin-fines/index.html')).toBe(true);
  });

  it('stubs the item whose table record itself carries its paid text, and writes every file', async () => {
    const record = subscriberRecord();
    const corrupted = { ...record, publicHtml: `${record.publicHtml}<p>${PAID}</p>` };
    const site = new MemorySite();
    const result = await new SitePublisher(reportsOf([corrupted]), site, publication).publish(plan(corrupted));
    expect(result.blocked.length).toBeGreaterThanOrEqual(5);
    for (const blocked of result.blocked) expect(blocked).toMatchObject({ action: 'stubbed', stubbed: [record.id] });
    expect([...site.files.keys()]).toContain('feeds/rss.xml');
    for (const body of site.files.values()) expect(body).not.toContain('quietly waived');
    expect(site.files.get('feeds/rss.xml')).toContain('Corvin fines');
  });

  it('stubs only the item a buggy renderer put paid text into; the other items go out as they are', async () => {
    const record = subscriberRecord();
    const other: ReportRecord = {
      ...record,
      id: '01JOTHER000000000000000000',
      slug: 'other',
      title: 'Harbour dues',
      tier: 'complimentary',
      publicHtml: '<p>Harbour dues rise by four per cent in spring, the port office said on Friday.</p>',
      fingerprints: [],
      paidRef: undefined,
    };
    const leakyFeeds: typeof renderFeeds = (views, options) =>
      renderFeeds(
        views.map((view) =>
          view.bodyHtml.includes('Harbour dues rise') ? { ...view, bodyHtml: `${view.bodyHtml}<p>${PAID}</p>` } : view,
        ),
        options,
      );
    const site = new MemorySite();
    const publisher = new SitePublisher(reportsOf([record, other]), site, publication, {
      feeds: leakyFeeds,
      reportPage: renderReportPage,
      archive: renderArchivePage,
    });
    const result = await publisher.publish(planPublish([{ after: { record: other, listed: true } }]));
    const rss = result.blocked.find((blocked) => blocked.artifact === 'feeds/rss.xml');
    expect(rss).toMatchObject({ action: 'stubbed', stubbed: [other.id], reportIds: [record.id] });
    expect(site.files.get('feeds/rss.xml')).not.toContain('quietly waived');
    expect(site.files.get('feeds/rss.xml')).toContain('They were due in June.');
    expect(site.files.get('feeds/rss.xml')).not.toContain('Harbour dues rise by four');
  });
});

describe('planPublish', () => {
  it('rebuilds nothing for changes that never touch the public site', () => {
    const record = subscriberRecord();
    const result = planPublish([{ before: { record, listed: false }, after: { record, listed: false } }]);
    expect(result.mainFeeds).toBe(false);
    expect(result.pages.size).toBe(0);
  });

  it('removes the page of a report that left the site and rebuilds its tag feeds', () => {
    const record = subscriberRecord();
    const result = planPublish([
      { before: { record, listed: true }, after: { record: { ...record, state: 'unpublished' }, listed: false } },
    ]);
    expect([...result.removedPages]).toEqual(['reports/corvin-fines/index.html']);
    expect([...result.tags.keys()]).toEqual(['fines']);
  });
});

describe('SitePublisher write order', () => {
  /** Records each write and delete as it starts; writes resolve after a tick so overlapping writes can be seen. */
  class OrderedSite implements SiteFiles {
    readonly events: string[] = [];
    inFlight = 0;
    maxInFlight = 0;
    async putIfChanged(key: string) {
      this.events.push(`put ${key}`);
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      this.inFlight -= 1;
      return 'written' as const;
    }
    readonly present = new Set<string>();
    async exists(key: string) {
      this.events.push(`head ${key}`);
      return this.present.has(key);
    }
    async delete(key: string) {
      this.events.push(`delete ${key}`);
    }
  }

  it('writes every report page before any feed or archive that links to it, and deletes pages last', async () => {
    const record = subscriberRecord();
    const removed = { ...record, id: '01JGONE0000000000000000000', slug: 'gone' };
    const site = new OrderedSite();
    const publishPlan = planPublish([
      { after: { record, listed: true } },
      {
        before: { record: removed, listed: true },
        after: { record: { ...removed, state: 'unpublished' }, listed: false },
      },
    ]);
    await new SitePublisher(reportsOf([record]), site, publication).publish(publishPlan);

    const index = (event: string) => site.events.indexOf(event);
    const page = index('put reports/corvin-fines/index.html');
    expect(page).toBeGreaterThanOrEqual(0);
    const linking = site.events.filter(
      (event) => event.startsWith('put ') && !event.endsWith('reports/corvin-fines/index.html'),
    );
    expect(linking.length).toBeGreaterThan(3);
    for (const event of linking) expect(index(event), event).toBeGreaterThan(page);
    // A removed page goes only after no feed or archive lists it any more.
    expect(site.events.at(-1)).toBe('delete reports/gone/index.html');
    // The feeds and the archive are independent of each other: they go out together, not one after another.
    expect(site.maxInFlight).toBeGreaterThan(1);
  });

  it('writes the page of a report the feeds list before its own stream batch arrives, before any feed', async () => {
    // Submits overlap: the table already lists `earlier`, whose stream records come in a later batch. The feeds
    // built for this batch list it, so its page must be there first (found at the load bench: 271 dangling links).
    const record = subscriberRecord();
    const earlier = { ...record, id: '01JEARLIER0000000000000000', slug: 'earlier', title: 'Earlier' };
    const kept = { ...record, id: '01JKEPT0000000000000000000', slug: 'kept', title: 'Kept' };
    const site = new OrderedSite();
    site.present.add('reports/kept/index.html');
    const publisher = new SitePublisher(reportsOf([earlier, record, kept]), site, publication);
    await publisher.publish(plan(record));

    const index = (event: string) => site.events.indexOf(event);
    const earlierPage = index('put reports/earlier/index.html');
    expect(earlierPage).toBeGreaterThanOrEqual(0);
    for (const event of site.events.filter((e) => e.startsWith('put feeds/') || e === 'put index.html'))
      expect(index(event), event).toBeGreaterThan(earlierPage);
    // A page already there is left to its own batch, and one known to be there is not asked about again.
    expect(index('put reports/kept/index.html')).toBe(-1);
    site.events.length = 0;
    await publisher.publish(plan(record));
    expect(site.events.filter((event) => event.startsWith('head '))).toEqual([]);
  });
});

describe('series feeds and pages', () => {
  const inSeries = (record: ReportRecord, series: string, id: string, slug: string): ReportRecord => ({
    ...record,
    id,
    slug,
    title: `Report ${slug}`,
    series,
  });

  it('plans the series a listed report was in before and after, and none for changes off the public site', () => {
    const record = subscriberRecord();
    const moved = planPublish([
      { before: { record, listed: true }, after: { record: { ...record, series: 'grid-watch' }, listed: true } },
    ]);
    expect([...moved.series].sort()).toEqual(['grid-watch', 'harbour-ledger']);
    const scheduled = planPublish([{ after: { record, listed: false } }]);
    expect(scheduled.series.size).toBe(0);
    const unpublished = planPublish([
      { before: { record, listed: true }, after: { record: { ...record, state: 'unpublished' }, listed: false } },
    ]);
    expect([...unpublished.series]).toEqual(['harbour-ledger']);
  });

  it('writes only the touched series once every configured series has its page', async () => {
    const harbour = subscriberRecord();
    const grid = inSeries(harbour, 'grid-watch', '01JGRID0000000000000000000', 'grid-report');
    const site = new MemorySite();
    const reports = reportsOf([harbour, grid]);
    const publisher = new SitePublisher(reports, site, publication);
    // The first publish also builds series whose page is not there yet, so every configured series has one.
    const first = await publisher.publish(plan(harbour));
    expect(first.written).toEqual(
      expect.arrayContaining(['series/grid-watch/index.html', 'feeds/series/grid-watch/rss.xml']),
    );

    const second = await publisher.publish(plan({ ...harbour, updatedAt: '2026-11-25T08:00:00.000Z', title: 'Again' }));
    const touched = [...second.written, ...second.unchanged];
    expect(touched).toEqual(
      expect.arrayContaining([
        'series/harbour-ledger/index.html',
        'feeds/series/harbour-ledger/rss.xml',
        'feeds/series/harbour-ledger/atom.xml',
        'feeds/series/harbour-ledger/feed.json',
      ]),
    );
    expect(touched.filter((key) => key.includes('grid-watch'))).toEqual([]);
  });

  it('asks S3 about an untouched series once, and builds it when its page is missing', async () => {
    const record = subscriberRecord();
    const heads: string[] = [];
    const site = new MemorySite();
    site.files.set('series/grid-watch/index.html', 'already there');
    const counting: SiteFiles = {
      putIfChanged: (key, body) => site.putIfChanged(key, body),
      exists: async (key) => {
        heads.push(key);
        return site.exists(key);
      },
      delete: (key) => site.delete(key),
    };
    const publisher = new SitePublisher(reportsOf([record]), counting, publication);
    const result = await publisher.publish(plan(record));
    expect(heads.filter((key) => key.startsWith('series/'))).toEqual(['series/grid-watch/index.html']);
    expect(result.written.filter((key) => key.includes('grid-watch'))).toEqual([]);
    heads.length = 0;
    await publisher.publish(plan(record));
    expect(heads.filter((key) => key.startsWith('series/'))).toEqual([]);
  });

  it('holds only the series’ own reports, tier-aware, with its own title, description and links', async () => {
    const harbour = subscriberRecord();
    const grid = {
      ...inSeries(harbour, 'grid-watch', '01JGRID0000000000000000000', 'grid-report'),
      tier: 'complimentary' as const,
      publicHtml: '<p>Grid report in full.</p>',
      fingerprints: [],
      paidRef: undefined,
    };
    const site = new MemorySite();
    await new SitePublisher(reportsOf([harbour, grid]), site, publication).publish(plan(harbour));

    const rss = site.files.get('feeds/series/harbour-ledger/rss.xml') ?? '';
    expect(rss).toContain('Corvin fines');
    expect(rss).toContain('The full text of this report is available to subscribers.');
    expect(rss).not.toContain('Report grid-report');
    expect(rss).not.toContain('quietly waived');
    const channel = child(child(parseXml(rss), 'rss'), 'channel');
    expect(textOf(child(channel, 'title'))).toBe('Dispatch Monitor: Harbour Ledger');
    expect(textOf(child(channel, 'description'))).toBe(
      publication.series.find((s) => s.id === 'harbour-ledger')?.blurb,
    );
    expect(textOf(child(channel, 'link'))).toBe('https://reports.example.org/series/harbour-ledger/');
    expect(attribute(child(channel, 'atom:link'), 'href')).toBe(
      'https://reports.example.org/feeds/series/harbour-ledger/rss.xml',
    );
    expect(findAll(channel, 'item')).toHaveLength(1);
    const json = JSON.parse(site.files.get('feeds/series/grid-watch/feed.json') ?? '{}') as {
      description: string;
      home_page_url: string;
      items: { content_html: string }[];
    };
    expect(json.description).toBe(publication.series.find((series) => series.id === 'grid-watch')?.blurb);
    expect(json.home_page_url).toBe('https://reports.example.org/series/grid-watch/');
    expect(json.items.map((item) => item.content_html)).toEqual([expect.stringContaining('Grid report in full.')]);

    const page = site.files.get('series/harbour-ledger/index.html') ?? '';
    expect(page).toContain('<a href="https://reports.example.org/reports/corvin-fines/">Corvin fines</a>');
    expect(page).not.toContain('grid-report');
    expect(page).not.toContain('quietly waived');
  });

  it('runs the series page through the leak guard: an entry a buggy renderer fills with paid text is stubbed', async () => {
    const record = subscriberRecord();
    // A renderer bug: the page shows each entry's body after its summary (a stub has none).
    const leakyPage: typeof renderSeriesPage = (views, series, options, extra) =>
      renderSeriesPage(
        views.map((view) => (view.bodyHtml === '' ? view : { ...view, summary: `${view.summary} ${PAID}` })),
        series,
        options,
        extra,
      );
    const site = new MemorySite();
    const publisher = new SitePublisher(reportsOf([record]), site, publication, { seriesPage: leakyPage });
    const result = await publisher.publish(plan(record));
    const blocked = result.blocked.find((block) => block.artifact === 'series/harbour-ledger/index.html');
    expect(blocked).toMatchObject({ action: 'stubbed', stubbed: [record.id], reportIds: [record.id] });
    expect(site.files.get('series/harbour-ledger/index.html')).toContain('Corvin fines');
    expect(site.files.get('series/harbour-ledger/index.html')).not.toContain('quietly waived');
  });
});
