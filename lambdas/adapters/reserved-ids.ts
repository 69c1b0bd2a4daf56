import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The prefix keeps reservations apart from Powertools' records (`<function>#<hash>`) in the same table. */
const RESERVATION_PREFIX = 'reserved#';

/**
 * Ids a keyed request chose before doing its work (the new report's id), so a retry after a crash reuses them and
 * converges on what the first attempt wrote. Ours, not Powertools': the library replaces an in-progress record
 * whose owner died with a fresh one and has no place for values chosen on the way, so a retry would pick a new id
 * and create a second report. Keyed by the request's hash (scope and body), expiring with the idempotency record.
 */
export class ReservedIds {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlSeconds = 24 * 3600,
  ) {}

  /** The id reserved for this request, or `candidate` once it is stored as the reservation. */
  async reserve(request: { scope: string; requestHash: string }, candidate: string, now: Date): Promise<string> {
    const key = `${RESERVATION_PREFIX}${createHash('sha256').update(`${request.scope}\0${request.requestHash}`).digest('hex')}`;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { key, id: candidate, expiresAt: nowSeconds + this.ttlSeconds },
          // TTL deletion is lazy: a reservation past its expiry is as good as gone.
          ConditionExpression: 'attribute_not_exists(#key) OR expiresAt < :now',
          ExpressionAttributeNames: { '#key': 'key' },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return candidate;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { key }, ConsistentRead: true }),
    );
    const reserved: unknown = Item?.id;
    if (typeof reserved !== 'string') throw new Error('An id reservation vanished between its write and its read');
    return reserved;
  }
}
