import { dynamoClient, dynamoDocumentClient, s3Client } from '../adapters/clients';
import { digestsTable, idempotencyTable, reportsTable, vaultBucket } from '../adapters/data-model';
import { EditionsStore } from '../adapters/editions-store';
import { idempotencyRecords } from '../adapters/idempotency-records';
import { LeakStatusStore } from '../adapters/leak-status-store';
import { ReportsStore } from '../adapters/reports-store';
import { ReservedIds } from '../adapters/reserved-ids';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
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
    editions: new EditionsStore(dynamoDocumentClient(), tableName(digestsTable.env)),
    idempotency: new IdempotencyKeys(idempotencyRecords(dynamoClient(), keysTableName), 'reports-api'),
    reservedIds: new ReservedIds(dynamoDocumentClient(), keysTableName),
    // Only the preview renders feed items (the feed package and its XML writer): loaded on its first call, so a
    // submit's cold start does not pay for them.
    preview: async (raw: Record<string, unknown>, now: Date) =>
      (await import('../core/reports/report-preview')).previewReport(raw, publication, now),
  };
}
