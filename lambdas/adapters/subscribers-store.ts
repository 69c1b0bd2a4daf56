import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Subscriber, SubscriberStatus } from '../core/subscribers/subscribers';
import { subscribersTable } from './data-model';

const [BY_STATUS, BY_SUBSCRIBER_ID] = subscribersTable.indexes;

export interface SubscriberPage {
  items: Subscriber[];
  /** Opaque; pass back to get the next page. */
  next?: Record<string, unknown>;
}

/**
 * The subscribers table (pk email). Every write is conditional on what the caller read (`updatedAt`), so two
 * requests racing on one address cannot undo each other: the loser re-reads and decides again.
 */
export class SubscribersStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(email: string): Promise<Subscriber | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { email }, ConsistentRead: true }),
    );
    return Item as Subscriber | undefined;
  }

  /** Through the bySubscriberId index, then re-read by key so the answer is strongly consistent. */
  async getBySubscriberId(subscriberId: string): Promise<Subscriber | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_SUBSCRIBER_ID.name,
        KeyConditionExpression: 'subscriberId = :id',
        ExpressionAttributeValues: { ':id': subscriberId },
        Limit: 1,
      }),
    );
    const email = Items[0]?.email;
    if (typeof email !== 'string') return undefined;
    const subscriber = await this.get(email);
    return subscriber?.subscriberId === subscriberId ? subscriber : undefined;
  }

  /** Writes `next` if the stored item is still the one read (`previous`), or absent when `previous` is. */
  async save(next: Subscriber, previous: Subscriber | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: next,
          ...(previous
            ? {
                ConditionExpression: 'updatedAt = :previous AND subscriberId = :id',
                ExpressionAttributeValues: { ':previous': previous.updatedAt, ':id': previous.subscriberId },
              }
            : { ConditionExpression: 'attribute_not_exists(email)' }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Moves an existing subscriber to a suppressed status unless it already has one of `keep`; false when there
   * is nothing to change (unknown address or already suppressed).
   */
  async suppress(
    email: string,
    status: SubscriberStatus,
    reason: string,
    keep: readonly SubscriberStatus[],
    at: Date,
  ): Promise<boolean> {
    const keepValues = Object.fromEntries(keep.map((value, index) => [`:keep${index}`, value]));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { email },
          // Like every status change: older confirmation links and private feed URLs stop working.
          UpdateExpression:
            'SET #status = :status, statusReason = :reason, updatedAt = :at ADD statusVersion :one, feedTokenVersion :one',
          ConditionExpression: `attribute_exists(email)${keep.map((_, index) => ` AND #status <> :keep${index}`).join('')}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':reason': reason,
            ':at': at.toISOString(),
            ':one': 1,
            ...keepValues,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async getMany(emails: readonly string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    const unique = [...new Set(emails)];
    for (let offset = 0; offset < unique.length; offset += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(offset, offset + 100).map((email) => ({ email }));
      for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const response: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const subscriber = item as Subscriber;
          found.set(subscriber.email, subscriber);
        }
        keys = response.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  /** One page of subscribers with a status, in email order (the byStatus index); never a scan. */
  async pageByStatus(
    status: SubscriberStatus,
    limit: number,
    start?: Record<string, unknown>,
  ): Promise<SubscriberPage> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_STATUS.name,
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return {
      items: (page.Items ?? []) as Subscriber[],
      ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}),
    };
  }
}
