import { mapConcurrently } from '../shared/concurrency';
import { renderFeeds, type RenderedFeeds } from './feeds/render-feeds';
import { feedContentTypes, type FeedFile } from './feeds/feed-files';
import { mainFeedListing, seriesFeedListing, tagFeedListing, type FeedListing } from './feed-listings';
import { renderArchivePage, renderReportPage } from './pages';
import { renderSeriesPage } from './series-page';
import type { Publication, Series } from '../shared/publication';
import { renderGuarded } from '../paywall/leak-guard';
import { ARCHIVE_KEY, pageKey, seriesPageKey, type LeakBlock, type PublishPlan } from './publishing';
import type { ReportRecord } from '../reports/report';
import { publicBoilerplate, publicView, stubView, type ReportView } from '../paywall/tiers';

/** What the site publisher reads and writes; the DynamoDB and S3 adapters implement it. */
export interface PublishedReports {
  latestPublished(limit: number): Promise<ReportRecord[]>;
  latestPublishedWithTag(slug: string, limit: number): Promise<ReportRecord[]>;
  latestPublishedInSeries(seriesId: string, limit: number): Promise<ReportRecord[]>;
  get(id: string): Promise<ReportRecord | undefined>;
}

export interface SiteFiles {
  putIfChanged(key: string, body: string, contentType: string, cacheControl: string): Promise<'written' | 'unchanged'>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

/** The lists the plan's feeds and archive are built from, read once before anything is written. */
interface Listings {
  latest?: ReportRecord[];
  tags: Map<string, ReportRecord[]>;
  /** Each series to rebuild → its latest reports, shared by its feeds and its page. */
  series: Map<Series, ReportRecord[]>;
}

/** The renderers a publisher uses; tests swap one for a faulty one to exercise the leak guard. */
export interface Renderers {
  feeds: typeof renderFeeds;
  reportPage: typeof renderReportPage;
  archive: typeof renderArchivePage;
  seriesPage: typeof renderSeriesPage;
}

const RENDERERS: Renderers = {
  feeds: renderFeeds,
  reportPage: renderReportPage,
  archive: renderArchivePage,
  seriesPage: renderSeriesPage,
};

export interface PublishReport {
  written: string[];
  unchanged: string[];
  deleted: string[];
  blocked: LeakBlock[];
  /** The revision of every report a rebuilt file covered, so findings can be recorded against it. */
  revisions: Map<string, number>;
}

const ARCHIVE_LENGTH = 100;

interface Artifact {
  key: string;
  contentType: string;
  cacheControl: string;
}

/**
 * Rebuilds the public artifacts a plan names from the table's current state. Every file passes the leak guard
 * (leak-guard.ts): an item that carries subscriber-only text is replaced by a stub and the rest of the file goes
 * out, so no file is ever left at a version older than the table. Only a file whose frame itself leaks is
 * withheld. Each finding is reported for the handler to log, count and record against the reports.
 */
export class SitePublisher {
  private readonly render: Renderers;

  constructor(
    private readonly reports: PublishedReports,
    private readonly site: SiteFiles,
    private readonly publication: Publication,
    render: Partial<Renderers> = {},
  ) {
    this.render = { ...RENDERERS, ...render };
  }

  /**
   * Pages first, then everything that links to them, then removals: a feed reader or a visitor who follows a
   * link the moment a feed or the archive lists it finds the page already there (CloudFront would otherwise
   * cache the 404), and a removed page goes only once no feed or archive lists it. "Pages first" covers every
   * report the feeds will list, not only this batch's: when submits overlap, the table already lists reports
   * whose stream records come in a later batch, so their pages are written now if they are not there yet.
   * Within each step the files are independent, so their renders and S3 writes run side by side.
   */
  async publish(plan: PublishPlan): Promise<PublishReport> {
    const result = emptyReport();
    const listings = await this.readListings(plan, await this.seriesToBuild(plan));
    const pages = await mapConcurrently([...plan.pages], WRITES_IN_FLIGHT, async (id) => {
      const record = await this.reports.get(id);
      // The plan names reports the stream showed listed; one unpublished since then is skipped.
      return record?.state === 'live' ? this.writePage(record) : emptyReport();
    });
    const missing = await this.listedWithoutPage(listings, plan.pages);
    const caughtUp = await mapConcurrently(missing, WRITES_IN_FLIGHT, (record) => this.writePage(record));
    const linking = await mapConcurrently(this.linkingJobs(plan, listings), WRITES_IN_FLIGHT, (job) => job());
    for (const part of [...pages, ...caughtUp, ...linking]) mergeInto(result, part);
    for (const key of plan.removedPages) {
      await this.site.delete(key);
      this.pagesSeen.delete(key);
      result.deleted.push(key);
    }
    return result;
  }

  /**
   * The series whose files the plan touches, plus any configured series whose page this publisher has not seen
   * yet (a series added to the configuration, or the first publish after series pages were introduced), so
   * every configured series has its page and feeds without waiting for one of its reports to change. A warm
   * publisher asks S3 about each series once.
   */
  private async seriesToBuild(plan: PublishPlan): Promise<Series[]> {
    const configured = this.publication.series;
    const unknown = configured.filter((series) => !plan.series.has(series.id) && !this.seriesSeen.has(series.id));
    const present = await mapConcurrently(unknown, WRITES_IN_FLIGHT, (series) =>
      this.site.exists(seriesPageKey(series.id)),
    );
    const missing = new Set(unknown.filter((_, i) => !present[i]).map((series) => series.id));
    unknown.forEach((series, i) => {
      if (present[i]) this.seriesSeen.add(series.id);
    });
    // An id no longer configured has no name or blurb to publish under; its reports cannot be rendered either.
    return configured.filter((series) => plan.series.has(series.id) || missing.has(series.id));
  }

  /** Series whose page this publisher wrote or found. */
  private readonly seriesSeen = new Set<string>();

  private async readListings(plan: PublishPlan, series: readonly Series[]): Promise<Listings> {
    const [latest, tagged, bySeries] = await Promise.all([
      plan.mainFeeds || plan.archive
        ? this.reports.latestPublished(Math.max(this.publication.feedLength, ARCHIVE_LENGTH))
        : undefined,
      Promise.all(
        [...plan.tags.keys()].map(
          async (slug) => [slug, await this.reports.latestPublishedWithTag(slug, this.publication.feedLength)] as const,
        ),
      ),
      Promise.all(
        series.map(
          async (one) =>
            [one, await this.reports.latestPublishedInSeries(one.id, this.publication.feedLength)] as const,
        ),
      ),
    ]);
    return { ...(latest ? { latest } : {}), tags: new Map(tagged), series: new Map(bySeries) };
  }

  /**
   * Page keys this publisher wrote or found, with the `updatedAt` of the record they were checked for. A warm
   * function asks S3 only about reports it has not seen at that version, so a publish costs a HEAD per newly
   * listed report rather than one per listed report.
   */
  private readonly pagesSeen = new Map<string, string>();

  /** Listed reports outside this batch whose page is not there yet. */
  private async listedWithoutPage(listings: Listings, inBatch: ReadonlySet<string>): Promise<ReportRecord[]> {
    const listed = new Map<string, ReportRecord>();
    const lists = [listings.latest ?? [], ...listings.tags.values(), ...listings.series.values()];
    for (const record of lists.flat()) {
      if (!inBatch.has(record.id) && record.state === 'live') listed.set(record.id, record);
    }
    const unknown = [...listed.values()].filter(
      (record) => this.pagesSeen.get(pageKey(record.slug)) !== record.updatedAt,
    );
    const present = await mapConcurrently(unknown, WRITES_IN_FLIGHT, (record) =>
      this.site.exists(pageKey(record.slug)),
    );
    unknown.forEach((record, i) => {
      if (present[i]) this.pagesSeen.set(pageKey(record.slug), record.updatedAt);
    });
    return unknown.filter((_, i) => !present[i]);
  }

  private async writePage(record: ReportRecord): Promise<PublishReport> {
    const part = emptyReport();
    const artifact = { key: pageKey(record.slug), contentType: HTML, cacheControl: this.publication.pageCacheControl };
    await this.writeGuarded(
      artifact,
      [record],
      (views) => views.map((view) => this.render.reportPage(view, this.publication)).join(''),
      part,
    );
    // Only a page that went out counts as there; a withheld one is asked about again next time.
    if (!part.blocked.some((block) => block.action === 'withheld')) this.pagesSeen.set(artifact.key, record.updatedAt);
    return part;
  }

  /**
   * The main feeds, the archive, the tag feeds the plan names and the feeds and page of each series read in
   * readListings: each job renders and writes its own files.
   */
  private linkingJobs(plan: PublishPlan, listings: Listings): (() => Promise<PublishReport>)[] {
    const jobs: (() => Promise<PublishReport>)[] = [];
    const job = (work: (part: PublishReport) => Promise<void>) =>
      jobs.push(async () => {
        const part = emptyReport();
        await work(part);
        return part;
      });
    // One read of the latest reports (readListings), shared by the main feeds and the archive.
    const latest = listings.latest ?? [];
    if (plan.mainFeeds) {
      job((part) =>
        this.writeFeeds(mainFeedListing(this.publication), latest.slice(0, this.publication.feedLength), part),
      );
    }
    if (plan.archive) {
      job((part) =>
        this.writeGuarded(
          { key: ARCHIVE_KEY, contentType: HTML, cacheControl: this.publication.pageCacheControl },
          latest,
          (views) => this.render.archive([...views], this.publication, { updated: lastUpdate(latest) }),
          part,
        ),
      );
    }
    for (const [slug, tag] of plan.tags) {
      job((part) => this.writeFeeds(tagFeedListing(this.publication, slug, tag), listings.tags.get(slug) ?? [], part));
    }
    for (const [series, covered] of listings.series) {
      job((part) => this.writeFeeds(seriesFeedListing(this.publication, series), covered, part));
      job((part) => this.writeSeriesPage(series, covered, part));
    }
    return jobs;
  }

  private async writeSeriesPage(series: Series, covered: ReportRecord[], result: PublishReport): Promise<void> {
    const artifact = {
      key: seriesPageKey(series.id),
      contentType: HTML,
      cacheControl: this.publication.pageCacheControl,
    };
    const part = emptyReport();
    await this.writeGuarded(
      artifact,
      covered,
      (views) => this.render.seriesPage(views, series, this.publication, { updated: lastUpdate(covered) }),
      part,
    );
    // Like a report page: only a page that went out counts as there.
    if (!part.blocked.some((block) => block.action === 'withheld')) this.seriesSeen.add(series.id);
    mergeInto(result, part);
  }

  private async writeFeeds(listing: FeedListing, covered: ReportRecord[], result: PublishReport): Promise<void> {
    // The three files come from one render; the guard asks for each with the same views, so it renders once
    // unless it has to look for the item that leaks.
    let memo: { views: readonly ReportView[]; feeds: RenderedFeeds } | undefined;
    const renderAll = (views: readonly ReportView[]): RenderedFeeds => {
      if (memo?.views !== views) {
        const feeds = this.render.feeds(views, {
          publication: this.publication,
          title: listing.title,
          description: listing.description,
          selfUrls: listing.selfUrls,
          homePageUrl: listing.homePageUrl,
          updated: lastUpdate(covered),
        });
        memo = { views, feeds };
      }
      return memo.feeds;
    };
    const files: [FeedFile, keyof RenderedFeeds][] = [
      ['rss.xml', 'rss'],
      ['atom.xml', 'atom'],
      ['feed.json', 'json'],
    ];
    // The guard renders synchronously before each write, so the shared memo is filled once and the three
    // writes overlap; each pushes into its own report, merged in file order.
    const parts = await Promise.all(
      files.map(async ([file, format]) => {
        const part = emptyReport();
        const artifact = {
          key: `${listing.prefix}/${file}`,
          contentType: feedContentTypes[file],
          cacheControl: this.publication.feedCacheControl,
        };
        await this.writeGuarded(artifact, covered, (views) => renderAll(views)[format], part);
        return part;
      }),
    );
    for (const part of parts) mergeInto(result, part);
  }

  /** The public views of a list of records, built once per list so renders of the same list can be shared. */
  private readonly views = new WeakMap<readonly ReportRecord[], readonly ReportView[]>();
  private viewsOf(covered: readonly ReportRecord[]): readonly ReportView[] {
    const known = this.views.get(covered);
    if (known) return known;
    const views = covered.map((record) => publicView(record, this.publication));
    this.views.set(covered, views);
    return views;
  }

  /** Renders one artifact from the covered reports through the leak guard and writes what it allows. */
  private async writeGuarded(
    artifact: Artifact,
    covered: readonly ReportRecord[],
    render: (views: readonly ReportView[]) => string,
    result: PublishReport,
  ): Promise<void> {
    for (const record of covered) result.revisions.set(record.id, record.revision);
    const guarded = await renderGuarded({
      views: this.viewsOf(covered),
      covered,
      render,
      text: (body) => body,
      stub: stubView,
      renderFrame: () => render([]),
      boilerplate: publicBoilerplate(this.publication),
    });
    const found = { artifact: artifact.key, reportIds: guarded.sources, hits: guarded.hits };
    if (!guarded.ok) {
      result.blocked.push({ ...found, stubbed: [], action: 'withheld' });
      return;
    }
    if (guarded.hits > 0) result.blocked.push({ ...found, stubbed: guarded.stubbed, action: 'stubbed' });
    const outcome = await this.site.putIfChanged(
      artifact.key,
      guarded.output,
      artifact.contentType,
      artifact.cacheControl,
    );
    result[outcome].push(artifact.key);
  }
}

const HTML = 'text/html; charset=utf-8';

/** S3 writes one publish keeps in flight: enough to hide each round trip, few enough for a Lambda's sockets. */
const WRITES_IN_FLIGHT = 8;

function emptyReport(): PublishReport {
  return { written: [], unchanged: [], deleted: [], blocked: [], revisions: new Map() };
}

/** Adds a part's outcomes to the whole, in the order the parts are given (so the report does not depend on timing). */
function mergeInto(whole: PublishReport, part: PublishReport): void {
  whole.written.push(...part.written);
  whole.unchanged.push(...part.unchanged);
  whole.deleted.push(...part.deleted);
  whole.blocked.push(...part.blocked);
  for (const [id, revision] of part.revisions) whole.revisions.set(id, revision);
}

/** Feeds carry the time of their newest change, not the time of the render, so identical input gives identical bytes. */
function lastUpdate(records: readonly ReportRecord[]): Date {
  const latest = records.reduce(
    (max, record) => (record.updatedAt > max ? record.updatedAt : max),
    '1970-01-01T00:00:00.000Z',
  );
  return new Date(latest);
}
