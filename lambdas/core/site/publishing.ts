import type { ReportRecord } from '../reports/report';
import { tagSlug } from '../reports/tags';

/**
 * What a batch of report changes means for the public site: which artifacts to rebuild (each once per batch)
 * and which report pages to remove. Pure: the handler feeds it stream images and does the I/O.
 */
export interface ReportChange {
  before?: { record: ReportRecord; listed: boolean };
  after?: { record: ReportRecord; listed: boolean };
}

export interface PublishPlan {
  mainFeeds: boolean;
  archive: boolean;
  /** Tag slug → a display name for the feed title. */
  tags: Map<string, string>;
  /** Series ids whose feeds and page to rebuild: each series a listed report was in, before or after the change. */
  series: Set<string>;
  /** Report ids whose page must be (re)written from the current table state. */
  pages: Set<string>;
  /** Page keys to delete: the report left the public site. */
  removedPages: Set<string>;
}

export function planPublish(changes: readonly ReportChange[]): PublishPlan {
  const plan: PublishPlan = {
    mainFeeds: false,
    archive: false,
    tags: new Map(),
    series: new Set(),
    pages: new Set(),
    removedPages: new Set(),
  };
  for (const { before, after } of changes) {
    const wasListed = before?.listed === true;
    const isListed = after?.listed === true;
    if (!wasListed && !isListed) continue; // scheduled or unpublished before and after: nothing public moves
    plan.mainFeeds = true;
    plan.archive = true;
    for (const side of [before, after]) {
      if (!side?.listed) continue;
      for (const tag of side.record.tags) plan.tags.set(tagSlug(tag), tag);
      // Both sides: a report moved to another series leaves the old one's files as it enters the new one's.
      plan.series.add(side.record.series);
    }
    if (isListed && after) plan.pages.add(after.record.id);
    if (wasListed && before && (!isListed || before.record.slug !== after?.record.slug)) {
      plan.removedPages.add(pageKey(before.record.slug));
    }
  }
  return plan;
}

export const pageKey = (slug: string): string => `reports/${slug}/index.html`;
export const ARCHIVE_KEY = 'index.html';
/** `/series/{id}/` (seriesPageUrl); the index rewrite at the edge maps the directory URL to this key. */
export const seriesPageKey = (seriesId: string): string => `series/${seriesId}/index.html`;

/** One public artifact the leak scan found subscriber-only text in, and what it did about it. */
export interface LeakBlock {
  artifact: string;
  /** The reports whose subscriber-only text was found. */
  reportIds: string[];
  /** The items replaced by a stub (title, summary, subscriber notice); the rest of the file went out as usual. */
  stubbed: string[];
  /** `withheld`: even the stubbed file held paid text, so it was not written at all (a renderer bug). */
  action: 'stubbed' | 'withheld';
  hits: number;
}
