import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { reportsTable, siteBucket } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { emitMetric, publishLagMs } from '../adapters/metrics';
import { LeakStatusStore } from '../adapters/leak-status-store';
import { isReportItem, ReportsStore, toRecord } from '../adapters/reports-store';
import { SiteBucket } from '../adapters/site-bucket';
import { loadPublication, requireEnv, tableName } from '../config';
import { recordLeakBlocks } from '../core/paywall/leak-status';
import { planPublish, type ReportChange } from '../core/site/publishing';
import { SitePublisher } from '../core/site/site-publisher';

const leakStatus = new LeakStatusStore(dynamoDocumentClient(), tableName(reportsTable.env));
const publisher = new SitePublisher(
  new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env)),
  new SiteBucket(s3Client(), requireEnv(siteBucket.env)),
  loadPublication(),
);

type Image = Record<string, AttributeValue> | undefined;

function side(image: Image): ReportChange['before'] {
  if (!image) return undefined;
  const item = unmarshall(image);
  if (!isReportItem(item)) return undefined;
  return { record: toRecord(item), listed: item.listing === 'public' };
}

/**
 * Reports table stream → public feeds, tag feeds, report pages and the archive. A batch is planned as a whole so
 * each artifact is rebuilt once. This function's role has no access to the vault: it cannot leak what it
 * cannot read, and the leak scan guards against paid text that reached the table by mistake.
 */
export const handler = observed(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const changes: ReportChange[] = [];
  for (const record of event.Records) {
    const before = side(record.dynamodb?.OldImage as Image);
    const after = side(record.dynamodb?.NewImage as Image);
    if (before || after) changes.push({ ...(before ? { before } : {}), ...(after ? { after } : {}) });
  }
  const plan = planPublish(changes);
  try {
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
    const lag = publishLagMs(
      event.Records.map((record) => record.dynamodb?.ApproximateCreationDateTime),
      Date.now(),
    );
    if (changes.length > 0 && lag !== undefined) emitMetric('PublishLag', lag);
    logger.info('Site published', {
      records: event.Records.length,
      written: result.written.length,
      unchanged: result.unchanged.length,
      deleted: result.deleted.length,
      blocked: result.blocked.length,
    });
    return { batchItemFailures: [] };
  } catch (error) {
    // The artifacts are rebuilt from table state, so retrying the batch from its first record converges.
    logger.error('Publishing failed; the batch will be retried', {
      error: error instanceof Error ? error : String(error),
    });
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
  }
});
