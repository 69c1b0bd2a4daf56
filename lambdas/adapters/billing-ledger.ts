import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { type Entitlement, graceEnd } from '../core/billing/entitlements';
import type { BillingLedger, CustomerBilling, CustomerProfile, PaymentRecord } from '../core/billing/ports';
import { billingTable } from './data-model';
import { conditionalWrite } from './dynamo/conditional-write';
import { queryAll } from './dynamo/query';

const [BY_DUE] = billingTable.indexes;

/** Stripe retries a delivery for up to three days; a processed event id is kept well past that. */
export const PROCESSED_EVENT_TTL_SECONDS = 30 * 24 * 60 * 60;
/** The one partition of the sparse `byDue` index: past-due entitlements in their grace period. */
const GRACE_DUE_KEY = 'grace';

const customerKey = (customerId: string): string => `CUSTOMER#${customerId}`;
/** Per address, one item per customer a checkout ever named it for: which customers may pay for it. */
const addressKey = (email: string): string => `ADDRESS#${email}`;
const PROFILE_SK = 'PROFILE';
const ENTITLEMENT_SK_PREFIX = 'ENTITLEMENT#';
const eventKey = (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' });
const paymentKey = (paymentIntentId: string) => ({ pk: `PAYMENT#${paymentIntentId}`, sk: 'PAYMENT' });

type Item = Record<string, unknown>;

/** The billing table (`data-model.ts`, `billingTable`): per Stripe customer its address and entitlements. */
export class BillingLedgerStore implements BillingLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async isProcessed(eventId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: eventKey(eventId), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  async markProcessed(eventId: string, now: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...eventKey(eventId),
          processedAt: now.toISOString(),
          [billingTable.timeToLiveAttribute]: Math.floor(now.getTime() / 1000) + PROCESSED_EVENT_TTL_SECONDS,
        },
      }),
    );
  }

  async customer(customerId: string): Promise<CustomerBilling> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': customerKey(customerId) },
      ConsistentRead: true,
    });
    const profile = items.find((item) => item.sk === PROFILE_SK);
    return {
      profile: profile === undefined ? undefined : toProfile(profile),
      entitlements: items
        .filter((item) => typeof item.sk === 'string' && item.sk.startsWith(ENTITLEMENT_SK_PREFIX))
        .map(toEntitlement),
    };
  }

  async saveEntitlement(next: Entitlement, previous: Entitlement | undefined): Promise<boolean> {
    const end = graceEnd(next);
    return conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: customerKey(next.customerId),
          sk: `${ENTITLEMENT_SK_PREFIX}${next.key}`,
          ...next,
          // Only a snapshot in grace is listed for the sweeper; any later snapshot of the subscription drops it.
          ...(end === undefined ? {} : { dueKey: GRACE_DUE_KEY, dueAt: end.toISOString() }),
        },
        ...(previous
          ? {
              ConditionExpression: 'eventId = :previous',
              ExpressionAttributeValues: { ':previous': previous.eventId },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
  }

  async saveProfile(profile: CustomerProfile): Promise<boolean> {
    // The link first (there are no transactions to pair the writes): a link without its profile is filtered out
    // by customersNaming, a profile without its link would go unseen there.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: addressKey(profile.email), sk: customerKey(profile.customerId), customerId: profile.customerId },
      }),
    );
    return conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: customerKey(profile.customerId), sk: PROFILE_SK, ...profile },
        ConditionExpression: 'attribute_not_exists(pk) OR eventCreated < :created',
        ExpressionAttributeValues: { ':created': profile.eventCreated },
      }),
    );
  }

  async customersNaming(email: string): Promise<CustomerBilling[]> {
    const links = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': addressKey(email) },
      ConsistentRead: true,
    });
    const customers = await Promise.all(links.map((link) => this.customer(String(link.customerId))));
    return customers.filter(({ profile }) => profile?.email === email);
  }

  async linkPayment(paymentIntentId: string, bought: NonNullable<PaymentRecord['bought']>): Promise<PaymentRecord> {
    return this.updatePayment(paymentIntentId, 'SET customerId = :customerId, boughtKey = :key', {
      ':customerId': bought.customerId,
      ':key': bought.key,
    });
  }

  async reversePayment(
    paymentIntentId: string,
    reversal: NonNullable<PaymentRecord['reversal']>,
  ): Promise<PaymentRecord> {
    // The first reversal stays: a second one (a refund after a lost dispute) changes nothing.
    return this.updatePayment(
      paymentIntentId,
      'SET reversalEventId = if_not_exists(reversalEventId, :eventId), reversalCreated = if_not_exists(reversalCreated, :created)',
      { ':eventId': reversal.eventId, ':created': reversal.eventCreated },
    );
  }

  private async updatePayment(
    paymentIntentId: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<PaymentRecord> {
    const { Attributes = {} } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: paymentKey(paymentIntentId),
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return {
      ...(typeof Attributes.customerId === 'string' && typeof Attributes.boughtKey === 'string'
        ? { bought: { customerId: Attributes.customerId, key: Attributes.boughtKey } }
        : {}),
      ...(typeof Attributes.reversalEventId === 'string'
        ? { reversal: { eventId: Attributes.reversalEventId, eventCreated: Number(Attributes.reversalCreated) } }
        : {}),
    };
  }

  async graceEnded(now: Date, limit: number): Promise<Entitlement[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_DUE.name,
        KeyConditionExpression: 'dueKey = :due AND dueAt <= :now',
        ExpressionAttributeValues: { ':due': GRACE_DUE_KEY, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return Items.map(toEntitlement);
  }

  async settleGrace(entitlement: Entitlement): Promise<void> {
    // Conditional on the snapshot: a newer event for the subscription has its own listing (or none) already.
    await conditionalWrite(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: customerKey(entitlement.customerId), sk: `${ENTITLEMENT_SK_PREFIX}${entitlement.key}` },
        UpdateExpression: 'REMOVE dueKey, dueAt',
        ConditionExpression: 'eventId = :eventId',
        ExpressionAttributeValues: { ':eventId': entitlement.eventId },
      }),
    );
  }
}

function toProfile(item: Item): CustomerProfile {
  return {
    customerId: String(item.customerId),
    email: String(item.email),
    eventId: String(item.eventId),
    eventCreated: Number(item.eventCreated),
  };
}

function toEntitlement(item: Item): Entitlement {
  return {
    customerId: String(item.customerId),
    key: String(item.key),
    status: String(item.status),
    eventId: String(item.eventId),
    eventCreated: Number(item.eventCreated),
    ...(typeof item.periodEnd === 'number' ? { periodEnd: item.periodEnd } : {}),
  };
}
