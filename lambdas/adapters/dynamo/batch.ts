import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { retryUnprocessed } from '../retry-unprocessed';

type Item = Record<string, unknown>;
/** One Put or Delete of a BatchWrite. */
export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** DynamoDB's limits per call. */
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;

/**
 * The items stored under `keys` (missing ones are simply absent), in calls of at most 100 keys, one after the
 * other; unprocessed keys are asked for again with backoff (see `retryUnprocessed`).
 */
export async function batchGetItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  options: { consistentRead?: boolean } = {},
): Promise<Item[]> {
  const found: Item[] = [];
  for (const chunk of chunks(keys, BATCH_GET_LIMIT)) {
    await retryUnprocessed(`BatchGet on ${tableName}`, chunk, async (pending) => {
      const response = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ...(options.consistentRead ? { ConsistentRead: true } : {}) } },
        }),
      );
      found.push(...(response.Responses?.[tableName] ?? []));
      return response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    });
  }
  return found;
}

/** Puts and deletes in calls of at most 25, one after the other; unprocessed ones are sent again with backoff. */
export async function batchWriteItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (const chunk of chunks(requests, BATCH_WRITE_LIMIT)) {
    await retryUnprocessed(`BatchWrite on ${tableName}`, chunk, async (pending) => {
      const response = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      return response.UnprocessedItems?.[tableName] ?? [];
    });
  }
}

function chunks<T>(entries: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let offset = 0; offset < entries.length; offset += size) result.push(entries.slice(offset, offset + size));
  return result;
}
