import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { reportsTable, vaultBucket } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { ReportsStore } from '../adapters/reports-store';
import { Vault } from '../adapters/vault';
import { requireEnv, tableName } from '../config';
import type { PaidPart, ReportRecord } from '../core/reports/report';
import { needsRelease, release } from '../core/reports/report-lifecycle';

const reports = new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env));
const vault = new Vault(s3Client(), requireEnv(vaultBucket.env));
const MAX_PAGES = 10;

export interface SweepEvent {
  /** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`; the sweep's notion of now. */
  scheduledTime?: string;
}

/**
 * Every minute: scheduled reports whose publishAt has come are listed, and subscriber reports past freeAfter
 * get their full text made public. Both rewrite the table item (same revision, new index keys), so the stream
 * tells the feed publisher. This function may read paid parts: releasing one is its job.
 */
const sweep = async (
  event: SweepEvent = {},
): Promise<{ published: number; released: number; skipped: number; failed: number }> => {
  const now = event.scheduledTime ? new Date(event.scheduledTime) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error('scheduledTime is not a date');
  const counts = { published: 0, released: 0, skipped: 0, failed: 0 };
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const due = await reports.due(now);
    if (due.length === 0) break;
    let progressed = false;
    for (const record of due) {
      let next: ReportRecord;
      try {
        next = needsRelease(record, now)
          ? release(record, await vault.getJson<PaidPart>(requirePaidRef(record.paidRef, record.id)), now)
          : record;
      } catch (error) {
        // One broken report must not hold back every other due publication.
        counts.failed += 1;
        logger.error('Report transition failed', {
          reportId: record.id,
          error: error instanceof Error ? error : String(error),
        });
        continue;
      }
      if (await reports.replace(next, record.revision, now)) {
        progressed = true;
        if (next.released && !record.released) counts.released += 1;
        else counts.published += 1;
        logger.info('Report transition applied', { reportId: record.id, released: next.released });
      } else {
        counts.skipped += 1; // edited meanwhile; the edit recomputed its keys, the next sweep looks again
      }
    }
    if (!progressed) break;
  }
  return counts;
};

export const handler = observed(sweep);

function requirePaidRef(paidRef: string | undefined, id: string): string {
  if (!paidRef) throw new Error(`Subscriber report ${id} has no paid part to release`);
  return paidRef;
}
