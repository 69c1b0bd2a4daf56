import { dynamoClient, dynamoDocumentClient, s3Client } from '../adapters/clients';
import { digestsTable, idempotencyTable, planQueue, reportsTable, vaultBucket } from '../adapters/data-model';
import { EditionsStore } from '../adapters/editions-store';
import { idempotencyRecords } from '../adapters/idempotency-records';
import { LeakStatusStore } from '../adapters/leak-status-store';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { ReportsStore } from '../adapters/reports-store';
import { ReservedIds } from '../adapters/reserved-ids';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
import type { PlanMessage } from '../core/digest/queue-messages';
import type { EditionsWithReport } from '../core/reports/report-changes';
import { ReportService } from '../core/reports/report-service';
import { IdempotencyKeys } from '../http/idempotency-key';

/** The reports API's collaborators, built once per execution environment from its configuration. */
export function reportsApiFromEnv() {
  const publication = loadPublication();
  const reportsTableName = tableName(reportsTable.env);
  const keysTableName = tableName(idempotencyTable.env);
  return {
    publication,
    reports: new ReportService(
      new ReportsStore(dynamoDocumentClient(), reportsTableName),
      new Vault(s3Client(), requireEnv(vaultBucket.env)),
      publication,
    ),
    leakStatus: new LeakStatusStore(dynamoDocumentClient(), reportsTableName),
    editions: reportEditions(
      new EditionsStore(dynamoDocumentClient(), tableName(digestsTable.env)),
      new JsonQueue(sqsClient(), requireEnv(planQueue.env)),
    ),
    idempotency: new IdempotencyKeys(idempotencyRecords(dynamoClient(), keysTableName), 'reports-api'),
    reservedIds: new ReservedIds(dynamoDocumentClient(), keysTableName),
    // Only the preview renders feed items (the feed package and its XML writer): loaded on its first call, so a
    // submit's cold start does not pay for them.
    preview: async (raw: Record<string, unknown>, now: Date) =>
      (await import('../core/reports/report-preview')).previewReport(raw, publication, now),
  };
}

/** The editions a report change touches: paused through the table, their pages refreshed through the plan queue. */
function reportEditions(store: EditionsStore, plans: JsonQueue): EditionsWithReport {
  return {
    editionsWithReport: (reportId) => store.editionsWithReport(reportId),
    setStatus: (...args) => store.setStatus(...args),
    refreshPages: (editionIds) =>
      plans.sendAll(editionIds.map((editionId): PlanMessage => ({ editionId, refreshPages: true }))),
  };
}
