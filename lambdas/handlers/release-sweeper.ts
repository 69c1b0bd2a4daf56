import { observed } from '../adapters/observability';
import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { reportsTable, vaultBucket } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { ReportsStore } from '../adapters/reports-store';
import { Vault } from '../adapters/vault';
import { requireEnv, tableName } from '../config';
import { sweepDueReports, type SweepCounts, type SweepObserver } from '../core/reports/release-sweep';

const reports = new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env));
const vault = new Vault(s3Client(), requireEnv(vaultBucket.env));

export interface SweepEvent {
  /** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`; the sweep's notion of now. */
  scheduledTime?: string;
}

const observer: SweepObserver = {
  applied: (reportId, released) => logger.info('Report transition applied', { reportId, released }),
  failed: (reportId, error) =>
    logger.error('Report transition failed', { reportId, error: error instanceof Error ? error : String(error) }),
};

/**
 * Every minute: publishes due scheduled reports and releases subscriber reports past freeAfter
 * (`sweepDueReports`). This function may read paid parts: releasing one is its job.
 */
const handle = async (event: SweepEvent = {}): Promise<SweepCounts> =>
  sweepDueReports(reports, vault, sweepTime(event), observer);

function sweepTime(event: SweepEvent): Date {
  const now = event.scheduledTime ? new Date(event.scheduledTime) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error('scheduledTime is not a date');
  return now;
}

export const handler = observed(handle);
