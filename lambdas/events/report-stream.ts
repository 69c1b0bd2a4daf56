import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isReportItem, toRecord } from '../adapters/reports-store';
import type { ReportChange } from '../core/site/publishing';

type Image = Record<string, AttributeValue> | undefined;
type Side = ReportChange['before'];

function reportItem(image: Image): Record<string, unknown> | undefined {
  if (!image) return undefined;
  const item = unmarshall(image);
  return isReportItem(item) ? item : undefined;
}

function side(image: Image): Side {
  const item = reportItem(image);
  return item ? { record: toRecord(item), listed: item.listing === 'public' } : undefined;
}

/** The report before and after a reports-table stream record; undefined for items that are not reports. */
export function reportChange(record: DynamoDBRecord): ReportChange | undefined {
  const before = side(record.dynamodb?.OldImage as Image);
  const after = side(record.dynamodb?.NewImage as Image);
  if (!before && !after) return undefined;
  return { ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

/** True when the record changed a report item (not a slug claim, tag entry or revision). */
export function touchesReport(record: DynamoDBRecord): boolean {
  return [record.dynamodb?.OldImage, record.dynamodb?.NewImage].some((image) => reportItem(image as Image));
}

/**
 * Runs `rebuild` once for the whole stream batch. Powertools' per-record BatchProcessor does not fit the stream
 * consumers: they rebuild artifacts from table state, and once per record would rebuild the site as many times.
 * On failure the batch is retried from its first record, which converges because the rebuild reads the table, not
 * the records.
 */
export async function rebuildOncePerBatch(
  event: DynamoDBStreamEvent,
  rebuild: () => Promise<void>,
  onFailure: (error: unknown) => void,
): Promise<DynamoDBBatchResponse> {
  try {
    await rebuild();
    return { batchItemFailures: [] };
  } catch (error) {
    onFailure(error);
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
  }
}
