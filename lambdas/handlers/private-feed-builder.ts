import { observed } from '../adapters/observability';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { reportsTable, vaultBucket } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { PrivateFeedFiles } from '../adapters/private-feed-files';
import { ReportsStore } from '../adapters/reports-store';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
import { FEED_FILES } from '../core/site/feeds/feed-files';
import { newPlaceholder, renderPrivateFeeds } from '../core/site/private-feeds';
import type { PaidPart } from '../core/reports/report';
import { loadPaidParts } from '../core/paywall/tiers';
import { rebuildOncePerBatch, touchesReport } from '../events/report-stream';

const publication = loadPublication();
const reports = new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env));
const vault = new Vault(s3Client(), requireEnv(vaultBucket.env));
const files = new PrivateFeedFiles(s3Client(), requireEnv(vaultBucket.env));

/**
 * Second consumer of the reports stream: any change to a report item rebuilds the full-text feeds once per
 * batch from the latest published reports (the stream says that something changed; the index says what is
 * published now, so ordering and retries cannot leave a stale feed).
 */
const handle = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  if (!event.Records.some(touchesReport)) return { batchItemFailures: [] };
  return rebuildOncePerBatch(event, rebuild, (error) =>
    logger.error('Private feed rebuild failed', { error: error instanceof Error ? error.message : String(error) }),
  );
};

async function rebuild(): Promise<void> {
  const records = await reports.latestPublished(publication.feedLength);
  const paidParts = await loadPaidParts(records, (ref) => vault.getJson<PaidPart>(ref));
  const placeholder = newPlaceholder();
  const { documents, updated } = renderPrivateFeeds(records, paidParts, publication, placeholder);
  await Promise.all(FEED_FILES.map((file) => files.put(file, documents[file], placeholder, updated)));
  logger.info('Private feeds rebuilt', { reports: records.length });
}

export const handler = observed(handle);
