import { observed } from '../adapters/observability';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { reportsTable, siteBucket } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { emitMetric, publishLagMs } from '../adapters/metrics';
import { LeakStatusStore } from '../adapters/leak-status-store';
import { ReportsStore } from '../adapters/reports-store';
import { SiteBucket } from '../adapters/site-bucket';
import { loadPublication, requireEnv, tableName } from '../config';
import { recordLeakBlocks } from '../core/paywall/leak-status';
import { planPublish, type PublishPlan, type ReportChange } from '../core/site/publishing';
import { SitePublisher } from '../core/site/site-publisher';
import { rebuildOncePerBatch, reportChange } from '../events/report-stream';

const leakStatus = new LeakStatusStore(dynamoDocumentClient(), tableName(reportsTable.env));
const publisher = new SitePublisher(
  new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env)),
  new SiteBucket(s3Client(), requireEnv(siteBucket.env)),
  loadPublication(),
);

/**
 * Reports table stream → public feeds, tag feeds, report pages and the archive. A batch is planned as a whole so
 * each artifact is rebuilt once. This function's role has no access to the vault: it cannot leak what it
 * cannot read, and the leak scan guards against paid text that reached the table by mistake.
 */
const handle = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const changes = event.Records.map(reportChange).filter((change): change is ReportChange => change !== undefined);
  const plan = planPublish(changes);
  return rebuildOncePerBatch(
    event,
    async () => {
      await publish(plan, event.Records.length);
      const lag = publishLagMs(
        event.Records.map((record) => record.dynamodb?.ApproximateCreationDateTime),
        Date.now(),
      );
      if (changes.length > 0 && lag !== undefined) emitMetric('PublishLag', lag);
    },
    (error) =>
      logger.error('Publishing failed; the batch will be retried', {
        error: error instanceof Error ? error : String(error),
      }),
  );
};

async function publish(plan: PublishPlan, records: number): Promise<void> {
  const result = await publisher.publish(plan);
  for (const blocked of result.blocked) {
    // Ids and keys only: never the text that was found.
    logger.error('Leak scan found subscriber-only text in a public artifact', {
      artifact: blocked.artifact,
      reportIds: blocked.reportIds,
      stubbed: blocked.stubbed,
      action: blocked.action,
      hits: blocked.hits,
    });
    emitMetric('LeakBlocked');
  }
  await recordLeakBlocks(result.blocked, result.revisions, leakStatus, new Date());
  logger.info('Site published', {
    records,
    written: result.written.length,
    unchanged: result.unchanged.length,
    deleted: result.deleted.length,
    blocked: result.blocked.length,
  });
}

export const handler = observed(handle);
