import { renderFeeds, type RenderedFeeds } from './feeds/render-feeds';
import { feedContentTypes, type FeedFile } from './feeds/feed-files';
import { mainFeedUrls, tagFeedUrls } from '../shared/reader-urls';
import { renderArchivePage, renderReportPage } from './pages';
import type { Publication } from '../shared/publication';
import { renderGuarded } from '../paywall/leak-guard';
import { ARCHIVE_KEY, pageKey, type LeakBlock, type PublishPlan } from './publishing';
import type { ReportRecord } from '../reports/report';
import { publicBoilerplate, publicView, stubView, type ReportView } from '../paywall/tiers';

/** What the site publisher reads and writes; the DynamoDB and S3 adapters implement it. */
export interface PublishedReports {
  latestPublished(limit: number): Promise<ReportRecord[]>;
  latestPublishedWithTag(slug: string, limit: number): Promise<ReportRecord[]>;
  get(id: string): Promise<ReportRecord | undefined>;
}

export interface SiteFiles {
  putIfChanged(key: string, body: string, contentType: string, cacheControl: string): Promise<'written' | 'unchanged'>;
  delete(key: string): Promise<void>;
}

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
  constructor(
    private readonly reports: PublishedReports,
    private readonly site: SiteFiles,
    private readonly publication: Publication,
    private readonly render = { feeds: renderFeeds, reportPage: renderReportPage, archive: renderArchivePage },
  ) {}

  async publish(plan: PublishPlan): Promise<PublishReport> {
    const result: PublishReport = { written: [], unchanged: [], deleted: [], blocked: [], revisions: new Map() };
    const needLatest = plan.mainFeeds || plan.archive;
    const latest = needLatest
      ? await this.reports.latestPublished(Math.max(this.publication.feedLength, ARCHIVE_LENGTH))
      : [];
    if (plan.mainFeeds) {
      await this.writeFeeds(
        'feeds',
        latest.slice(0, this.publication.feedLength),
        this.publication.name,
        `Latest reports from ${this.publication.name}`,
        mainFeedUrls(this.publication),
        result,
      );
    }
    if (plan.archive) {
      const artifact = { key: ARCHIVE_KEY, contentType: HTML, cacheControl: this.publication.pageCacheControl };
      await this.writeGuarded(
        artifact,
        latest,
        (views) => this.render.archive([...views], this.publication, { updated: lastUpdate(latest) }),
        result,
      );
    }
    for (const [slug, tag] of plan.tags) {
      const covered = await this.reports.latestPublishedWithTag(slug, this.publication.feedLength);
      await this.writeFeeds(
        `feeds/tags/${slug}`,
        covered,
        `${this.publication.name}: ${tag}`,
        `Reports tagged “${tag}” from ${this.publication.name}`,
        tagFeedUrls(this.publication, tag),
        result,
      );
    }
    for (const id of plan.pages) {
      const record = await this.reports.get(id);
      // The plan names reports the stream showed listed; one unpublished since then is skipped.
      if (!record || record.state !== 'live') continue;
      const artifact = {
        key: pageKey(record.slug),
        contentType: HTML,
        cacheControl: this.publication.pageCacheControl,
      };
      await this.writeGuarded(
        artifact,
        [record],
        (views) => views.map((view) => this.render.reportPage(view, this.publication)).join(''),
        result,
      );
    }
    for (const key of plan.removedPages) {
      await this.site.delete(key);
      result.deleted.push(key);
    }
    return result;
  }

  private async writeFeeds(
    prefix: string,
    covered: ReportRecord[],
    title: string,
    description: string,
    selfUrls: ReturnType<typeof mainFeedUrls>,
    result: PublishReport,
  ): Promise<void> {
    // The three files come from one render; the guard asks for each with the same views, so it renders once
    // unless it has to look for the item that leaks.
    let memo: { views: readonly ReportView[]; feeds: RenderedFeeds } | undefined;
    const renderAll = (views: readonly ReportView[]): RenderedFeeds => {
      if (memo?.views !== views) {
        const feeds = this.render.feeds(views, {
          publication: this.publication,
          title,
          description,
          selfUrls,
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
    for (const [file, format] of files) {
      const artifact = {
        key: `${prefix}/${file}`,
        contentType: feedContentTypes[file],
        cacheControl: this.publication.feedCacheControl,
      };
      await this.writeGuarded(artifact, covered, (views) => renderAll(views)[format], result);
    }
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

/** Feeds carry the time of their newest change, not the time of the render, so identical input gives identical bytes. */
function lastUpdate(records: readonly ReportRecord[]): Date {
  const latest = records.reduce(
    (max, record) => (record.updatedAt > max ? record.updatedAt : max),
    '1970-01-01T00:00:00.000Z',
  );
  return new Date(latest);
}
