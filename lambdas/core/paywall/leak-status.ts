import type { LeakBlock } from '../site/publishing';
import type { ReportRecord } from '../reports/report';

/**
 * What editors see of the leak scan: `GET /api/reports/{id}` shows `leakBlocked` while the report's current
 * revision has artifacts the scan stubbed or withheld. A new revision starts clean; if it still leaks, the
 * publish cycle for it records it again.
 */
export interface LeakStatus {
  reportId: string;
  revision: number;
  artifacts: string[];
  action: 'stubbed' | 'withheld';
  at: string;
}

export interface LeakStatusRepository {
  get(reportId: string): Promise<LeakStatus | undefined>;
  put(status: LeakStatus): Promise<void>;
}

/** The statuses of many reports in one read (a page of the editors' list); reports with none are absent. */
export interface LeakStatusBatchReader {
  getMany(reportIds: readonly string[]): Promise<ReadonlyMap<string, LeakStatus>>;
}

/** Folds a publish cycle's findings into the stored status of each report they name. */
export async function recordLeakBlocks(
  blocks: readonly LeakBlock[],
  revisions: ReadonlyMap<string, number>,
  store: LeakStatusRepository,
  now: Date,
): Promise<void> {
  const byReport = new Map<string, LeakBlock[]>();
  for (const block of blocks) {
    for (const id of new Set([...block.reportIds, ...block.stubbed])) {
      byReport.set(id, [...(byReport.get(id) ?? []), block]);
    }
  }
  for (const [reportId, found] of byReport) {
    const revision = revisions.get(reportId);
    if (revision === undefined) continue;
    const previous = await store.get(reportId);
    const kept = previous?.revision === revision ? previous.artifacts : [];
    await store.put({
      reportId,
      revision,
      artifacts: [...new Set([...kept, ...found.map((block) => block.artifact)])].sort(),
      action: found.some((block) => block.action === 'withheld') ? 'withheld' : 'stubbed',
      at: now.toISOString(),
    });
  }
}

/** The `leakBlocked` field of a report as the editor API shows it: null unless the current revision is affected. */
export function leakBlockedView(
  record: Pick<ReportRecord, 'revision'>,
  status: LeakStatus | undefined,
): { artifacts: string[]; action: LeakStatus['action']; at: string } | null {
  if (!status || status.revision !== record.revision) return null;
  return { artifacts: status.artifacts, action: status.action, at: status.at };
}
