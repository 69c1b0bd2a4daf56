import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { WindowClaimInput } from '../core/digest/edition-planner';
import { FINAL_EDITION_STATUSES } from '../core/digest/edition';
import type { DeliveryTally } from '../core/digest/reconciliation';
import type { DeliveryRecord, DeliveryStatus } from '../core/digest/deliveries';
import type { EditionCounter, EditionRecord, EditionStatus } from '../core/digest/edition';
import type { EditionWindow } from '../core/digest/edition-windows';

/**
 * The digests table. Item types:
 *  - edition `EDITION#{id}` / `EDITION`: status, window, planning cursor and counters;
 *  - delivery `EDITION#{id}` / `TO#{hash of address}`: one per recipient, the exactly-once guard;
 *  - feedback `EDITION#{id}` / `FEEDBACK#{messageId}#{type}`: makes SES feedback count once per message;
 *  - window claim `WINDOW#{start}` / `WINDOW`: at most one edition may start at a given instant, which is what
 *    makes duplicate triggers (two schedule fires, a manual send racing the schedule) create one edition;
 *  - head `HEAD` / `EDITIONS`: where the last edition's window ended, so the next window is found by key;
 *  - report entry `REPORT#{reportId}` / `EDITION#{id}`: the editions a report is in, so unpublishing or
 *    correcting it can pause the ones still sending without scanning.
 */
const editionKey = (id: string) => ({ pk: `EDITION#${id}`, sk: 'EDITION' });
const deliveryItemKey = (editionId: string, key: string) => ({ pk: `EDITION#${editionId}`, sk: `TO#${key}` });
const windowKey = (start: string) => ({ pk: `WINDOW#${start}`, sk: 'WINDOW' });
const HEAD_KEY = { pk: 'HEAD', sk: 'EDITIONS' };
const reportEntryKey = (reportId: string, editionId: string) => ({
  pk: `REPORT#${reportId}`,
  sk: `EDITION#${editionId}`,
});

/** What claiming a window records; defined by the planner that asks for it. */
export type WindowClaim = WindowClaimInput;

export class DigestsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async head(): Promise<{ windowEnd: string; editionId: string } | undefined> {
    const item = await this.getItem(HEAD_KEY);
    return item ? { windowEnd: String(item.windowEnd), editionId: String(item.editionId) } : undefined;
  }

  /** Moves the head forward only: a late retry of an older edition never rewinds it. */
  async advanceHead(window: EditionWindow, editionId: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: HEAD_KEY,
        UpdateExpression: 'SET windowEnd = :end, editionId = :id',
        ConditionExpression: 'attribute_not_exists(windowEnd) OR windowEnd < :end',
        ExpressionAttributeValues: { ':end': window.end, ':id': editionId },
      }),
    );
  }

  async claimWindow(claim: WindowClaim): Promise<{ claimed: true } | { claimed: false; existing: WindowClaim }> {
    const claimed = await this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...windowKey(claim.windowStart), ...claim },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (claimed) return { claimed: true };
    const existing = await this.getItem(windowKey(claim.windowStart));
    if (!existing) throw new Error(`Window claim ${claim.windowStart} vanished`);
    return { claimed: false, existing: strip(existing) as unknown as WindowClaim };
  }

  /** The report entries go first: an edition that exists is always found from each of its reports. */
  async createEdition(edition: EditionRecord): Promise<boolean> {
    await Promise.all(
      edition.reportIds.map((reportId) =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...reportEntryKey(reportId, edition.id), editionId: edition.id },
          }),
        ),
      ),
    );
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...editionKey(edition.id), ...edition },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async addReports(editionId: string, reportIds: readonly string[]): Promise<void> {
    await Promise.all(
      reportIds.map((reportId) =>
        this.client.send(
          new PutCommand({ TableName: this.tableName, Item: { ...reportEntryKey(reportId, editionId), editionId } }),
        ),
      ),
    );
    const edition = await this.getEdition(editionId);
    if (!edition) return;
    const ids = [...new Set([...edition.reportIds, ...reportIds])];
    await this.update(editionId, 'SET reportIds = :ids', { ':ids': ids });
  }

  /** Ids of the editions a report was put in. */
  async editionsWithReport(reportId: string): Promise<string[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :edition)',
        ExpressionAttributeValues: { ':pk': `REPORT#${reportId}`, ':edition': 'EDITION#' },
      }),
    );
    return Items.map((item) => String(item.editionId));
  }

  /** The edition's status, read strongly: the sender asks right before each SES call. */
  async editionStatus(id: string): Promise<EditionStatus | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: editionKey(id),
        ConsistentRead: true,
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item ? (Item.status as EditionStatus) : undefined;
  }

  /**
   * paused → planning with a new compile version: the planner compiles again from the table's current state
   * (an unpublished report gone, a correction in) and sends the deferred readers, then the rest as planned.
   */
  async resume(id: string, at: Date): Promise<EditionRecord | undefined> {
    return this.transition(
      id,
      ['paused'],
      'SET #status = :to, updatedAt = :at, reason = :reason ADD compileVersion :one REMOVE compiledAt',
      'planning',
      at,
      { ':one': 1, ':reason': 'resumed: compiling the remaining mails again' },
    );
  }

  async getEdition(id: string): Promise<EditionRecord | undefined> {
    const item = await this.getItem(editionKey(id));
    return item ? (strip(item) as unknown as EditionRecord) : undefined;
  }

  async markCompiled(id: string, at: Date): Promise<void> {
    await this.update(id, 'SET compiledAt = :at, updatedAt = :at', { ':at': at.toISOString() });
  }

  /** Records one enqueued page of recipients; false when another planner recorded this page first. */
  async recordPlannedPage(
    id: string,
    page: number,
    nextCursor: string | undefined,
    count: number,
    at: Date,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: editionKey(id),
        UpdateExpression: `SET planPage = :next, updatedAt = :at, ${nextCursor ? 'planCursor = :cursor' : 'plannedAll = :true'} ADD queued :count${nextCursor ? '' : ' REMOVE planCursor'}`,
        ConditionExpression: 'planPage = :page AND #status = :planning',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':page': page,
          ':next': page + 1,
          ':count': count,
          ':at': at.toISOString(),
          ':planning': 'planning',
          ...(nextCursor ? { ':cursor': nextCursor } : { ':true': true }),
        },
      }),
    );
  }

  /** planning → sending with the final recipient count; undefined if it had already left planning. */
  async finishPlanning(id: string, at: Date): Promise<EditionRecord | undefined> {
    return this.transition(id, ['planning'], 'SET #status = :to, recipients = queued, updatedAt = :at', 'sending', at);
  }

  /** Sets a final or paused status if the edition is still in one of `from`. */
  async setStatus(
    id: string,
    from: readonly EditionStatus[],
    to: EditionStatus,
    at: Date,
    reason?: string,
  ): Promise<EditionRecord | undefined> {
    const final = FINAL_EDITION_STATUSES.includes(to);
    const set = `SET #status = :to, updatedAt = :at${final ? ', completedAt = :at' : ''}${reason ? ', reason = :reason' : ''}`;
    // `sent` is the one state without a reason: a reason left from an earlier pause would mislead.
    const expression = `${set}${reason ? '' : ' REMOVE reason'}`;
    return this.transition(id, from, expression, to, at, reason ? { ':reason': reason } : {});
  }

  /** Atomic counter increments; returns the edition as it is after them. */
  async count(id: string, counters: Partial<Record<EditionCounter, number>>, at: Date): Promise<EditionRecord> {
    const entries = Object.entries(counters).filter(([, value]) => value !== undefined && value !== 0);
    const names = Object.fromEntries(entries.map(([name], index) => [`#c${index}`, name]));
    const values = Object.fromEntries(entries.map(([, value], index) => [`:c${index}`, value]));
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: editionKey(id),
        UpdateExpression: `SET updatedAt = :at${entries.length > 0 ? ` ADD ${entries.map((_, index) => `#c${index} :c${index}`).join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ...(entries.length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ':at': at.toISOString(), ...values },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip(Attributes ?? {}) as unknown as EditionRecord;
  }

  /** Delivery records of an edition with one status, with the reader's address (admin listing, resume, retry). */
  async deliveriesWithStatus(
    editionId: string,
    status: DeliveryStatus,
  ): Promise<{ key: string; record: DeliveryRecord }[]> {
    const found: { key: string; record: DeliveryRecord }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :to)',
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': editionKey(editionId).pk, ':to': 'TO#', ':status': status },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        found.push({ key: String(item.sk).slice('TO#'.length), record: strip(item) as unknown as DeliveryRecord });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** Deletes a delivery record if it still has `status`, so the reader can be claimed again; false otherwise. */
  async reopenDelivery(editionId: string, key: string, status: DeliveryStatus): Promise<boolean> {
    return this.conditional(
      new DeleteCommand({
        TableName: this.tableName,
        Key: deliveryItemKey(editionId, key),
        ConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
      }),
    );
  }

  /** Every delivery record of an edition (status and claim time only), for reconciliation. */
  async deliveryOutcomes(editionId: string): Promise<Pick<DeliveryRecord, 'status' | 'claimedAt'>[]> {
    const outcomes: Pick<DeliveryRecord, 'status' | 'claimedAt'>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :to)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': editionKey(editionId).pk, ':to': 'TO#' },
          ProjectionExpression: '#status, claimedAt',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        outcomes.push({ status: item.status as DeliveryRecord['status'], claimedAt: String(item.claimedAt) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return outcomes;
  }

  /** Replaces the outcome counters with a tally of the delivery records (absolute values, not increments). */
  async reconcile(
    id: string,
    tally: DeliveryTally,
    status: EditionStatus,
    at: Date,
    reason?: string,
  ): Promise<EditionRecord | undefined> {
    const finished = status !== 'sending';
    const { Attributes } = await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: editionKey(id),
          UpdateExpression: `SET sent = :sent, failed = :failed, suppressed = :suppressed, notSent = :notSent, #unknown = :unknown, #status = :status, updatedAt = :at${finished ? ', completedAt = :at' : ''}${reason ? ', reason = :reason' : ''}`,
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status', '#unknown': 'unknown' },
          ExpressionAttributeValues: {
            ':unknown': tally.unknown,
            ':sent': tally.sent,
            ':failed': tally.failed,
            ':suppressed': tally.suppressed,
            ':notSent': tally.notSent,
            ':status': status,
            ':sending': 'sending',
            ':at': at.toISOString(),
            ...(reason ? { ':reason': reason } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch((error: unknown) => {
        if (error instanceof ConditionalCheckFailedException) return { Attributes: undefined };
        throw error;
      });
    return Attributes ? (strip(Attributes) as unknown as EditionRecord) : undefined;
  }

  async claimDelivery(
    editionId: string,
    key: string,
    record: DeliveryRecord,
  ): Promise<{ claimed: true } | { claimed: false; existing: DeliveryRecord }> {
    const claimed = await this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...deliveryItemKey(editionId, key), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (claimed) return { claimed: true };
    const existing = await this.getItem(deliveryItemKey(editionId, key));
    if (!existing) return this.claimDelivery(editionId, key, record);
    return { claimed: false, existing: strip(existing) as unknown as DeliveryRecord };
  }

  /** Delivery records of some recipients (by key), for a cheap skip of those already done on redelivery. */
  async getDeliveries(editionId: string, keys: readonly string[]): Promise<Map<string, DeliveryRecord>> {
    const found = new Map<string, DeliveryRecord>();
    let pending: Record<string, unknown>[] | undefined = [...new Set(keys)].map((key) =>
      deliveryItemKey(editionId, key),
    );
    for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const response: BatchGetCommandOutput = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of response.Responses?.[this.tableName] ?? []) {
        found.set(String(item.sk).slice('TO#'.length), strip(item) as unknown as DeliveryRecord);
      }
      pending = response.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return found;
  }

  /** Finishes a `sending` claim this attempt holds; false if the claim is no longer ours. */
  async finishDelivery(
    editionId: string,
    key: string,
    claimId: string,
    outcome: { status: Exclude<DeliveryStatus, 'sending'>; messageId?: string; reason?: string },
    at: Date,
  ): Promise<boolean> {
    return this.conditional(
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
    await this.conditional(
      new DeleteCommand({
        TableName: this.tableName,
        Key: deliveryItemKey(editionId, key),
        ConditionExpression: 'claimId = :claim AND #status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':claim': claimId, ':sending': 'sending' },
      }),
    );
  }

  /** True the first time a feedback event (SES message id and type) is seen for an edition. */
  async recordFeedback(editionId: string, messageId: string, type: string, at: Date): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `EDITION#${editionId}`, sk: `FEEDBACK#${messageId}#${type}`, at: at.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  private async transition(
    id: string,
    from: readonly EditionStatus[],
    expression: string,
    to: EditionStatus,
    at: Date,
    extraValues: Record<string, unknown> = {},
  ): Promise<EditionRecord | undefined> {
    const fromValues = Object.fromEntries(from.map((status, index) => [`:from${index}`, status]));
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: editionKey(id),
          UpdateExpression: expression,
          ConditionExpression: `#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': to, ':at': at.toISOString(), ...fromValues, ...extraValues },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip(Attributes ?? {}) as unknown as EditionRecord;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private async update(id: string, expression: string, values: Record<string, unknown>): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: editionKey(id),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: values,
      }),
    );
  }

  private async getItem(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  private async conditional(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}
