import { renderFeeds, feedContentTypes, mainFeedUrls, tagFeedUrls, type FeedFile } from './feeds';
import { renderArchivePage, renderReportPage } from './pages';
import type { Publication } from './publication';
import { ARCHIVE_KEY, assertNoLeak, LeakBlockedError, pageKey, type PublishPlan } from './publishing';
import type { ReportRecord } from './report';
import { publicView } from './tiers';

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
  blocked: LeakBlockedError[];
}

const ARCHIVE_LENGTH = 100;

/**
 * Rebuilds the public artifacts a plan names from the table's current state. Each artifact passes the leak
 * scan before it is written; a blocked artifact keeps its previous (safe) version and is reported, the rest
 * of the plan still goes out.
 */
export class SitePublisher {
  constructor(
    private readonly reports: PublishedReports,
    private readonly site: SiteFiles,
    private readonly publication: Publication,
    private readonly render = { feeds: renderFeeds, reportPage: renderReportPage, archive: renderArchivePage },
  ) {}

  async publish(plan: PublishPlan): Promise<PublishReport> {
    const result: PublishReport = { written: [], unchanged: [], deleted: [], blocked: [] };
    const write = async (
      key: string,
      body: string,
      contentType: string,
      cacheControl: string,
      covered: ReportRecord[],
    ) => {
      try {
        assertNoLeak(key, body, covered);
      } catch (error) {
        if (error instanceof LeakBlockedError) {
          result.blocked.push(error);
          return;
        }
        throw error;
      }
      const outcome = await this.site.putIfChanged(key, body, contentType, cacheControl);
      result[outcome].push(key);
    };

    const needLatest = plan.mainFeeds || plan.archive;
    const latest = needLatest
      ? await this.reports.latestPublished(Math.max(this.publication.feedLength, ARCHIVE_LENGTH))
      : [];
    if (plan.mainFeeds) {
      const covered = latest.slice(0, this.publication.feedLength);
      await this.writeFeeds(
        'feeds',
        covered,
        this.publication.name,
        `Latest reports from ${this.publication.name}`,
        mainFeedUrls(this.publication),
        write,
      );
    }
    if (plan.archive) {
      const views = latest.map((record) => publicView(record, this.publication));
      await write(
        ARCHIVE_KEY,
        this.render.archive(views, this.publication, { updated: lastUpdate(latest) }),
        'text/html; charset=utf-8',
        this.publication.pageCacheControl,
        latest,
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
        write,
      );
    }
    for (const id of plan.pages) {
      const record = await this.reports.get(id);
      // The plan names reports the stream showed listed; one unpublished since then is skipped.
      if (!record || record.state !== 'live') continue;
      await write(
        pageKey(record.slug),
        this.render.reportPage(publicView(record, this.publication), this.publication),
        'text/html; charset=utf-8',
        this.publication.pageCacheControl,
        [record],
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
    write: (
      key: string,
      body: string,
      contentType: string,
      cacheControl: string,
      covered: ReportRecord[],
    ) => Promise<void>,
  ): Promise<void> {
    const views = covered.map((record) => publicView(record, this.publication));
    const feeds = this.render.feeds(views, {
      publication: this.publication,
      title,
      description,
      selfUrls,
      updated: lastUpdate(covered),
    });
    const files: [FeedFile, string][] = [
      ['rss.xml', feeds.rss],
      ['atom.xml', feeds.atom],
      ['feed.json', feeds.json],
    ];
    for (const [file, body] of files) {
      await write(`${prefix}/${file}`, body, feedContentTypes[file], this.publication.feedCacheControl, covered);
    }
  }
}

/** Feeds carry the time of their newest change, not the time of the render, so identical input gives identical bytes. */
function lastUpdate(records: readonly ReportRecord[]): Date {
  const latest = records.reduce(
    (max, record) => (record.updatedAt > max ? record.updatedAt : max),
    '1970-01-01T00:00:00.000Z',
  );
  return new Date(latest);
}
