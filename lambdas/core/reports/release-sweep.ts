import type { ReportsRepository, VaultStore } from './ports';
import type { PaidPart, ReportRecord } from './report';
import { needsRelease, release } from './report-lifecycle';

/** Pages of due reports one sweep takes at most; whatever is left waits a minute for the next sweep. */
export const MAX_SWEEP_PAGES = 10;

export interface SweepCounts {
  published: number;
  released: number;
  /** Edited meanwhile: the edit recomputed the index keys, and the next sweep looks again. */
  skipped: number;
  failed: number;
}

/** What the sweep tells its caller as it goes (the handler logs it). */
export interface SweepObserver {
  applied(reportId: string, released: boolean): void;
  failed(reportId: string, error: unknown): void;
}

/**
 * Scheduled reports whose publishAt has come are listed, and subscriber reports past freeAfter get their full
 * text made public. Both rewrite the table item (same revision, new index keys), so the stream tells the feed
 * publisher. The caller may read paid parts: releasing one is this workflow's job.
 */
export async function sweepDueReports(
  reports: Pick<ReportsRepository, 'due' | 'replace'>,
  paidParts: Pick<VaultStore, 'getJson'>,
  now: Date,
  observer: SweepObserver,
): Promise<SweepCounts> {
  const counts: SweepCounts = { published: 0, released: 0, skipped: 0, failed: 0 };
  for (let page = 0; page < MAX_SWEEP_PAGES; page += 1) {
    const due = await reports.due(now);
    if (due.length === 0) break;
    let progressed = false;
    for (const record of due) {
      let next: ReportRecord;
      try {
        next = needsRelease(record, now)
          ? release(record, await paidParts.getJson<PaidPart>(requirePaidRef(record)), now)
          : record;
      } catch (error) {
        // One broken report must not hold back every other due publication.
        counts.failed += 1;
        observer.failed(record.id, error);
        continue;
      }
      if (await reports.replace(next, record.revision, now)) {
        progressed = true;
        if (next.released && !record.released) counts.released += 1;
        else counts.published += 1;
        observer.applied(record.id, next.released);
      } else {
        counts.skipped += 1;
      }
    }
    // A page where nothing moved would come back identical: stop rather than spin.
    if (!progressed) break;
  }
  return counts;
}

function requirePaidRef(record: ReportRecord): string {
  if (!record.paidRef) throw new Error(`Subscriber report ${record.id} has no paid part to release`);
  return record.paidRef;
}
