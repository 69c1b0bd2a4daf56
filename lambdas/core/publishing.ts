import { matchingFingerprints } from './fingerprints';
import type { ReportRecord } from './report';
import { tagSlug } from './tags';

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

export class LeakBlockedError extends Error {
  constructor(
    readonly artifact: string,
    readonly reportIds: string[],
    readonly hits: number,
  ) {
    super(`Refused to publish ${artifact}: it contains subscriber-only text of ${reportIds.join(', ')}`);
    this.name = 'LeakBlockedError';
  }
}

/**
 * The last gate before a public write: the artifact is checked against the fingerprints of the subscriber-only
 * parts of every report it covers. Throws on a hit so no caller can forget to look at the result.
 */
export function assertNoLeak(artifact: string, body: string, covered: readonly ReportRecord[]): void {
  const guarded = covered.filter((record) => record.fingerprints.length > 0);
  if (guarded.length === 0) return;
  // One pass over the artifact for all reports; the hits then say whose text it is.
  const found = matchingFingerprints(
    body,
    guarded.flatMap((record) => record.fingerprints),
  );
  if (found.size === 0) return;
  const culprits = guarded
    .filter((record) => record.fingerprints.some((fingerprint) => found.has(fingerprint)))
    .map((record) => record.id);
  throw new LeakBlockedError(artifact, culprits, found.size);
}
