import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { reportsTable, vaultBucket } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { PrivateFeedFiles } from '../adapters/private-feed-files';
import { isReportItem, ReportsStore } from '../adapters/reports-store';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
import { FEED_FILES } from '../core/site/feeds/feed-files';
import { newPlaceholder, renderPrivateFeeds } from '../core/site/private-feeds';
import type { PaidPart } from '../core/reports/report';
import { loadPaidParts } from '../core/paywall/tiers';

const publication = loadPublication();
const reports = new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env));
const vault = new Vault(s3Client(), requireEnv(vaultBucket.env));
const files = new PrivateFeedFiles(s3Client(), requireEnv(vaultBucket.env));

/**
 * Second consumer of the reports stream: any change to a report item rebuilds the full-text feeds once per
 * batch from the latest published reports (the stream says that something changed; the index says what is
 * published now, so ordering and retries cannot leave a stale feed).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const touched = event.Records.some((record) =>
    [record.dynamodb?.NewImage, record.dynamodb?.OldImage].some(
      (image) => image !== undefined && isReportItem(unmarshall(image as Record<string, AttributeValue>)),
    ),
  );
  if (!touched) return { batchItemFailures: [] };
  try {
    await rebuild();
    return { batchItemFailures: [] };
  } catch (error) {
    logger.error('Private feed rebuild failed', { error: error instanceof Error ? error.message : String(error) });
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
  }
};

async function rebuild(): Promise<void> {
  const records = await reports.latestPublished(publication.feedLength);
  const paidParts = await loadPaidParts(records, (ref) => vault.getJson<PaidPart>(ref));
  const placeholder = newPlaceholder();
  const { documents, updated } = renderPrivateFeeds(records, paidParts, publication, placeholder);
  await Promise.all(FEED_FILES.map((file) => files.put(file, documents[file], placeholder, updated)));
  logger.info('Private feeds rebuilt', { reports: records.length });
}
