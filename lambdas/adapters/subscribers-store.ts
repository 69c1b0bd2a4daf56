import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { VersionCounter } from '../core/members/ports';
import type { Page } from '../core/shared/page';
import type { AddressQuery, SubscriberListing } from '../core/subscribers/subscriber-list';
import { SUBSCRIBER_STATUSES, type Subscriber, type SubscriberStatus } from '../core/subscribers/subscribers';
import { subscribersTable } from './data-model';
import { batchGetItems } from './dynamo/batch';
import { conditionalWrite } from './dynamo/conditional-write';
import { decodeCursor, encodeCursor, hasExactAttributes } from './dynamo/cursor';
import { queryPage } from './dynamo/query';

const [BY_STATUS, BY_SUBSCRIBER_ID] = subscribersTable.indexes;

export interface SubscriberPage {
  items: Subscriber[];
  /** Opaque; pass back to get the next page. */
  next?: string;
}

/**
 * The subscribers table (pk email). Every write is conditional on what the caller read (`updatedAt`), so two
 * requests racing on one address cannot undo each other: the loser re-reads and decides again.
 */
export class SubscribersStore implements SubscriberListing {
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
    return conditionalWrite(
      this.client,
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
    return conditionalWrite(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: { email },
        // Like every status change: older confirmation links, private feed URLs and member sessions stop working.
        UpdateExpression:
          'SET #status = :status, statusReason = :reason, updatedAt = :at ADD statusVersion :one, feedTokenVersion :one, memberSessionVersion :one',
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
  }

  /**
   * Moves one version counter of a subscriber from `expected` to `expected + 1`, if it still is `expected` (absent
   * counts as 0); false when it moved on already or the subscriber is gone. `updatedAt` changes with it, so a
   * concurrent whole-record `save` read before this update fails its condition and re-reads instead of writing the
   * old counter back.
   */
  async advanceVersion(email: string, counter: VersionCounter, expected: number, at: Date): Promise<boolean> {
    return conditionalWrite(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: { email },
        UpdateExpression: 'SET #counter = :next, updatedAt = :at',
        ConditionExpression: `attribute_exists(email) AND (#counter = :expected${
          expected === 0 ? ' OR attribute_not_exists(#counter)' : ''
        })`,
        ExpressionAttributeNames: { '#counter': counter },
        ExpressionAttributeValues: { ':next': expected + 1, ':expected': expected, ':at': at.toISOString() },
      }),
    );
  }

  async getMany(emails: readonly string[]): Promise<Map<string, Subscriber>> {
    const keys = [...new Set(emails)].map((email) => ({ email }));
    const items = (await batchGetItems(this.client, this.tableName, keys, {
      consistentRead: true,
    })) as unknown as Subscriber[];
    return new Map(items.map((subscriber) => [subscriber.email, subscriber]));
  }

  /** One page of subscribers with a status, in email order (the byStatus index); never a scan. */
  async pageByStatus(status: SubscriberStatus, limit: number, cursor?: string): Promise<SubscriberPage> {
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: BY_STATUS.name,
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
        Limit: limit,
      },
      cursor,
      // A byStatus key: the table key and the index key, of this status.
      (key) => hasExactAttributes(key, ['email', 'status']) && typeof key.email === 'string' && key.status === status,
    );
    return { items: page.items as unknown as Subscriber[], ...(page.nextCursor ? { next: page.nextCursor } : {}) };
  }

  /**
   * One page of subscribers in address order, all of them or those whose address starts with `prefix`. The table
   * is keyed by address alone and Scan is not granted, so this reads the byStatus index (status, then email): one
   * Query per status, each already in address order, merged here. Each status gives at most `limit + 1` addresses
   * after the cursor, so the first `limit` of the merge are the first `limit` overall, and one more says whether
   * another page exists. The cursor is the last address shown.
   */
  async pageByAddress(query: AddressQuery): Promise<Page<Subscriber>> {
    const prefix = query.prefix ?? '';
    const after = query.cursor === undefined ? undefined : addressAfter(query.cursor, prefix);
    const perStatus = await Promise.all(
      SUBSCRIBER_STATUSES.map((status) => this.firstByAddress(status, prefix, after, query.limit + 1)),
    );
    const merged = perStatus.flat().sort((a, b) => Buffer.compare(Buffer.from(a.email), Buffer.from(b.email)));
    const items = merged.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      ...(merged.length > query.limit && last ? { nextCursor: encodeCursor({ email: last.email }) } : {}),
    };
  }

  /** The first `count` subscribers of one status whose address starts with `prefix`, after `after`. */
  private async firstByAddress(
    status: SubscriberStatus,
    prefix: string,
    after: string | undefined,
    count: number,
  ): Promise<Subscriber[]> {
    const found: Subscriber[] = [];
    // A start key need not be a stored item: the query resumes after that position of the index.
    let start: Record<string, unknown> | undefined = after === undefined ? undefined : { status, email: after };
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_STATUS.name,
          KeyConditionExpression: `#status = :status${prefix ? ' AND begins_with(email, :prefix)' : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ...(prefix ? { ':prefix': prefix } : {}) },
          Limit: count - found.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...((page.Items ?? []) as unknown as Subscriber[]));
      start = page.LastEvaluatedKey;
    } while (start && found.length < count);
    return found;
  }
}

/**
 * The address a list cursor stands for. Only a cursor this listing issued gets through: an address (a start key
 * outside the `begins_with` range would reach DynamoDB and come back a 500), so a cursor from another query is
 * refused with a 400 like any other foreign cursor.
 */
function addressAfter(cursor: string, prefix: string): string {
  const key = decodeCursor(
    cursor,
    (candidate) =>
      hasExactAttributes(candidate, ['email']) &&
      typeof candidate.email === 'string' &&
      candidate.email.length > 0 &&
      candidate.email.length <= 254 &&
      candidate.email.startsWith(prefix),
  );
  return String(key.email);
}
