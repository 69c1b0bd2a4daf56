import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, DeliveryStatus } from '../core/digest/deliveries';
import { DELIVERY_SK_PREFIX, deliveryItemKey, editionKey, recipientKeyOf, withoutKey } from './digests-table';
import { batchGetItems } from './dynamo/batch';
import { conditionalWrite } from './dynamo/conditional-write';
import { queryAll } from './dynamo/query';

type DeliveryOutcome = Pick<DeliveryRecord, 'status' | 'claimedAt'>;

/**
 * Delivery records in the digests table (`EDITION#{id}` / `TO#{recipient key}`, see digests-table.ts): one per
 * recipient of an edition, the exactly-once guard of the sender. A record is claimed (created `sending`) right
 * before the SES call and finished or released by the attempt that holds the claim, never by another.
 */
export class DeliveriesStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimDelivery(
    editionId: string,
    key: string,
    record: DeliveryRecord,
  ): Promise<{ claimed: true } | { claimed: false; existing: DeliveryRecord }> {
    const claimed = await conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...deliveryItemKey(editionId, key), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (claimed) return { claimed: true };
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: deliveryItemKey(editionId, key), ConsistentRead: true }),
    );
    // Released between our claim and this read: claim again.
    if (!Item) return this.claimDelivery(editionId, key, record);
    return { claimed: false, existing: withoutKey(Item) as unknown as DeliveryRecord };
  }

  /** Delivery records of some recipients (by key), for a cheap skip of those already done on redelivery. */
  async getDeliveries(editionId: string, keys: readonly string[]): Promise<Map<string, DeliveryRecord>> {
    const items = await batchGetItems(
      this.client,
      this.tableName,
      [...new Set(keys)].map((key) => deliveryItemKey(editionId, key)),
      { consistentRead: true },
    );
    return new Map(items.map((item) => [recipientKeyOf(item), withoutKey(item) as unknown as DeliveryRecord]));
  }

  /** Finishes a `sending` claim this attempt holds; false if the claim is no longer ours. */
  async finishDelivery(
    editionId: string,
    key: string,
    claimId: string,
    outcome: { status: Exclude<DeliveryStatus, 'sending'>; messageId?: string; reason?: string },
    at: Date,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: deliveryItemKey(editionId, key),
        UpdateExpression: `SET #status = :status, finishedAt = :at${outcome.messageId ? ', messageId = :messageId' : ''}${outcome.reason ? ', reason = :reason' : ''}`,
        ConditionExpression: 'claimId = :claim AND #status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':claim': claimId,
          ':sending': 'sending',
          ':at': at.toISOString(),
          ...(outcome.messageId ? { ':messageId': outcome.messageId } : {}),
          ...(outcome.reason ? { ':reason': outcome.reason } : {}),
        },
      }),
    );
  }

  /** Gives a claim back (SES throttled us): the redelivered message claims the recipient afresh. */
  async releaseDelivery(editionId: string, key: string, claimId: string): Promise<void> {
    // False when the claim is no longer ours: then there is nothing of ours to give back.
    await this.deleteIf(editionId, key, 'claimId = :claim AND #status = :sending', {
      ':claim': claimId,
      ':sending': 'sending',
    });
  }

  /** Deletes a delivery record if it still has `status`, so the reader can be claimed again; false otherwise. */
  async reopenDelivery(editionId: string, key: string, status: DeliveryStatus): Promise<boolean> {
    return this.deleteIf(editionId, key, '#status = :status', { ':status': status });
  }

  /** Delivery records of an edition with one status, with the reader's address (admin listing, resume, retry). */
  async deliveriesWithStatus(
    editionId: string,
    status: DeliveryStatus,
  ): Promise<{ key: string; record: DeliveryRecord }[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :to)',
      FilterExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': editionKey(editionId).pk, ':to': DELIVERY_SK_PREFIX, ':status': status },
    });
    return items.map((item) => ({ key: recipientKeyOf(item), record: withoutKey(item) as unknown as DeliveryRecord }));
  }

  /** Every delivery record of an edition (status and claim time only), for reconciliation. */
  async deliveryOutcomes(editionId: string): Promise<DeliveryOutcome[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :to)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': editionKey(editionId).pk, ':to': DELIVERY_SK_PREFIX },
      ProjectionExpression: '#status, claimedAt',
    });
    return items.map((item) => ({ status: item.status as DeliveryStatus, claimedAt: String(item.claimedAt) }));
  }

  /** The one way a delivery record goes away: deleted under a condition on what it still says. */
  private deleteIf(
    editionId: string,
    key: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client,
      new DeleteCommand({
        TableName: this.tableName,
        Key: deliveryItemKey(editionId, key),
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
  }
}
