import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Idempotency-Key records. A key is claimed with a conditional write before any work, remembers the request's
 * hash (same key + different body = client bug) and, once done, the response to replay. A claim whose worker
 * died is taken over after `lockSeconds`.
 */
export interface StoredResponse {
  statusCode: number;
  body: string;
  location?: string;
}

export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  status: 'in_progress' | 'done';
  /** Values the first attempt chose (e.g. the report id), so a retry after a crash reuses them. */
  reserved: Record<string, string>;
  response?: StoredResponse;
  lockedUntil: number;
  expiresAt: number;
}

export type Claim =
  | { outcome: 'claimed'; record: IdempotencyRecord }
  | { outcome: 'replay'; record: IdempotencyRecord }
  | { outcome: 'mismatch' }
  | { outcome: 'in_progress' };

export class IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlSeconds = 24 * 3600,
    private readonly lockSeconds = 30,
  ) {}

  async claim(key: string, requestHash: string, reserved: Record<string, string>, now: Date): Promise<Claim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const fresh: IdempotencyRecord = {
      key,
      requestHash,
      status: 'in_progress',
      reserved,
      lockedUntil: nowSeconds + this.lockSeconds,
      expiresAt: nowSeconds + this.ttlSeconds,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: fresh,
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': 'key' },
        }),
      );
      return { outcome: 'claimed', record: fresh };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { key }, ConsistentRead: true }),
    );
    const existing = Item as IdempotencyRecord | undefined;
    if (!existing) return this.claim(key, requestHash, reserved, now);
    if (existing.requestHash !== requestHash) return { outcome: 'mismatch' };
    if (existing.status === 'done') return { outcome: 'replay', record: existing };
    if (existing.lockedUntil > nowSeconds) return { outcome: 'in_progress' };
    // The first attempt died mid-way: take over with its reserved values so the work converges.
    const takeover: IdempotencyRecord = { ...existing, lockedUntil: nowSeconds + this.lockSeconds };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: takeover,
          ConditionExpression: 'lockedUntil = :seen',
          ExpressionAttributeValues: { ':seen': existing.lockedUntil },
        }),
      );
      return { outcome: 'claimed', record: takeover };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { outcome: 'in_progress' };
      throw error;
    }
  }

  async complete(record: IdempotencyRecord, response: StoredResponse): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...record, status: 'done', response } }),
    );
  }

  /** A request that failed validation leaves no claim behind: the client may fix it and retry with the key. */
  async release(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { key } }));
  }
}
