import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { WindowClaimInput } from '../core/digest/edition-planner';
import type { EditionListing } from '../core/digest/edition-list';
import {
  EDITION_TRIGGERS,
  FINAL_EDITION_STATUSES,
  type EditionCounter,
  type EditionRecord,
  type EditionStatus,
  type EditionStatusWriter,
} from '../core/digest/edition';
import { type DeliveryTally } from '../core/digest/reconciliation';
import { type EditionWindow } from '../core/digest/edition-windows';
import {
  editionKey,
  feedbackKey,
  HEAD_KEY,
  REPORT_ENTRY_SK_PREFIX,
  reportEntriesPartition,
  reportEntryKey,
  windowKey,
  withoutKey,
} from './digests-table';
import { digestsTable } from './data-model';
import { decodeCursor, encodeCursor, hasExactAttributes } from './dynamo/cursor';
import { conditionalWrite, whenConditionHolds } from './dynamo/conditional-write';
import { queryAll } from './dynamo/query';

const [BY_TRIGGER] = digestsTable.indexes;
/** Edition ids are ULIDs: what a list cursor may hold. */
const EDITION_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** What claiming a window records; defined by the planner that asks for it. */
export type WindowClaim = WindowClaimInput;

/**
 * Editions in the digests table (see digests-table.ts for the layout): the head, window claims, the edition
 * items with their status transitions and counters, the report entries and the feedback markers. Every status
 * change is conditional on the status it leaves, so racing workflows (sender, planner, operator, feedback)
 * never undo each other.
 */
export class EditionsStore implements EditionStatusWriter, EditionListing {
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
    await conditionalWrite(
      this.client,
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
    const claimed = await conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...windowKey(claim.windowStart), ...claim },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (claimed) return { claimed: true };
    const existing = await this.getItem(windowKey(claim.windowStart));
    if (!existing) throw new Error(`Window claim ${claim.windowStart} vanished`);
    return { claimed: false, existing: withoutKey(existing) as unknown as WindowClaim };
  }

  /** The report entries go first: an edition that exists is always found from each of its reports. */
  async createEdition(edition: EditionRecord): Promise<boolean> {
    await this.putReportEntries(edition.id, edition.reportIds);
    return conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...editionKey(edition.id), ...edition },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Lists more reports in the edition (and under each report), before its mail is compiled with them. */
  async addReports(editionId: string, reportIds: readonly string[]): Promise<void> {
    await this.putReportEntries(editionId, reportIds);
    const edition = await this.getEdition(editionId);
    if (!edition) return;
    const ids = [...new Set([...edition.reportIds, ...reportIds])];
    await this.update(editionId, 'SET reportIds = :ids', { ':ids': ids });
  }

  /** Ids of the editions a report was put in. */
  async editionsWithReport(reportId: string): Promise<string[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :edition)',
      ExpressionAttributeValues: { ':pk': reportEntriesPartition(reportId), ':edition': REPORT_ENTRY_SK_PREFIX },
    });
    return items.map((item) => String(item.editionId));
  }

  async getEdition(id: string): Promise<EditionRecord | undefined> {
    const item = await this.getItem(editionKey(id));
    return item ? (withoutKey(item) as unknown as EditionRecord) : undefined;
  }

  /**
   * A page of editions, newest first: the byTrigger index holds edition items only, one partition per trigger,
   * each in id (ULID, so creation) order. Each partition gives at most `limit + 1` editions older than the cursor;
   * the newest `limit` of the merge are the page, and one more says another page exists. The cursor is the id of
   * the last edition shown. Read from the index, so an edition created a moment ago may show a moment later.
   */
  async listEditions(limit: number, cursor?: string): Promise<{ items: EditionRecord[]; nextCursor?: string }> {
    const before = cursor === undefined ? undefined : editionIdBefore(cursor);
    const perTrigger = await Promise.all(
      EDITION_TRIGGERS.map((trigger) => this.newestByTrigger(trigger, before, limit + 1)),
    );
    const merged = perTrigger.flat().sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const items = merged.slice(0, limit);
    const last = items.at(-1);
    return { items, ...(merged.length > limit && last ? { nextCursor: encodeCursor({ id: last.id }) } : {}) };
  }

  private async newestByTrigger(
    trigger: EditionRecord['trigger'],
    before: string | undefined,
    count: number,
  ): Promise<EditionRecord[]> {
    const found: EditionRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_TRIGGER.name,
          KeyConditionExpression: `#trigger = :trigger${before ? ' AND #id < :before' : ''}`,
          ExpressionAttributeNames: { '#trigger': 'trigger', ...(before ? { '#id': 'id' } : {}) },
          ExpressionAttributeValues: { ':trigger': trigger, ...(before ? { ':before': before } : {}) },
          ScanIndexForward: false,
          Limit: count - found.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...(page.Items ?? []).map((item) => withoutKey(item) as unknown as EditionRecord));
      start = page.LastEvaluatedKey;
    } while (start && found.length < count);
    return found;
  }

  /** The edition's status and compile version, read strongly: the sender asks right before each SES call. */
  async sendState(id: string): Promise<{ status: EditionStatus; compileVersion: number } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: editionKey(id),
        ConsistentRead: true,
        ProjectionExpression: '#status, compileVersion',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    if (!Item) return undefined;
    return { status: Item.status as EditionStatus, compileVersion: Number(Item.compileVersion ?? 0) };
  }

  async markCompiled(id: string, at: Date): Promise<void> {
    await this.update(id, 'SET compiledAt = :at, updatedAt = :at', { ':at': at.toISOString() });
  }

  /** Appends an entry (`{version}/{combination}`) to the combinations compiled and stored for the edition. */
  async markSeriesCompiled(id: string, entry: string): Promise<void> {
    await this.update(id, 'SET compiledSeries = list_append(if_not_exists(compiledSeries, :none), :entry)', {
      ':none': [],
      ':entry': [entry],
    });
  }

  /**
   * Records one enqueued page of recipients (`count` readers, `noSeries` of whom get no mail because they receive
   * none of the edition's series); false when another planner recorded this page first.
   */
  async recordPlannedPage(
    id: string,
    page: number,
    nextCursor: string | undefined,
    count: number,
    at: Date,
    noSeries = 0,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: editionKey(id),
        UpdateExpression: `SET planPage = :next, updatedAt = :at, ${nextCursor ? 'planCursor = :cursor' : 'plannedAll = :true'} ADD queued :count, noSeries :noSeries${nextCursor ? '' : ' REMOVE planCursor'}`,
        ConditionExpression: 'planPage = :page AND #status = :planning',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':page': page,
          ':next': page + 1,
          ':count': count,
          ':noSeries': noSeries,
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

  /**
   * paused → planning with a new compile version: the planner compiles again from the table's current state
   * (an unpublished report gone, a correction in) and sends the deferred readers, then the rest as planned.
   * `compiledSeries` is kept: its entries name their version, and the planner reads the earlier ones to compile
   * again every combination that messages queued before the pause may still name.
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

  /**
   * Replaces the outcome counters with a tally of the delivery records (absolute values, not increments) and
   * sets `status`, if the edition is still sending; undefined when it no longer was.
   */
  async reconcile(
    id: string,
    tally: DeliveryTally,
    status: EditionStatus,
    at: Date,
    reason?: string,
  ): Promise<EditionRecord | undefined> {
    const finished = status !== 'sending';
    return this.transition(
      id,
      ['sending'],
      `SET sent = :sent, failed = :failed, suppressed = :suppressed, notSent = :notSent, #unknown = :unknown, #status = :to, updatedAt = :at${finished ? ', completedAt = :at' : ''}${reason ? ', reason = :reason' : ''}`,
      status,
      at,
      {
        ':unknown': tally.unknown,
        ':sent': tally.sent,
        ':failed': tally.failed,
        ':suppressed': tally.suppressed,
        ':notSent': tally.notSent,
        ...(reason ? { ':reason': reason } : {}),
      },
      { '#unknown': 'unknown' },
    );
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
    return withoutKey(Attributes ?? {}) as unknown as EditionRecord;
  }

  /** True the first time a feedback event (SES message id and type) is seen for an edition. */
  async recordFeedback(editionId: string, messageId: string, type: string, at: Date): Promise<boolean> {
    return conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...feedbackKey(editionId, messageId, type), at: at.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  private async putReportEntries(editionId: string, reportIds: readonly string[]): Promise<void> {
    await Promise.all(
      reportIds.map((reportId) =>
        this.client.send(
          new PutCommand({ TableName: this.tableName, Item: { ...reportEntryKey(reportId, editionId), editionId } }),
        ),
      ),
    );
  }

  /** The one conditional status move: `to` if the edition is in one of `from`, else undefined. */
  private async transition(
    id: string,
    from: readonly EditionStatus[],
    expression: string,
    to: EditionStatus,
    at: Date,
    extraValues: Record<string, unknown> = {},
    extraNames: Record<string, string> = {},
  ): Promise<EditionRecord | undefined> {
    const fromValues = Object.fromEntries(from.map((status, index) => [`:from${index}`, status]));
    const output = await whenConditionHolds(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: editionKey(id),
          UpdateExpression: expression,
          ConditionExpression: `#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status', ...extraNames },
          ExpressionAttributeValues: { ':to': to, ':at': at.toISOString(), ...fromValues, ...extraValues },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return output ? (withoutKey(output.Attributes ?? {}) as unknown as EditionRecord) : undefined;
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
}

/** The edition id a list cursor stands for; anything this listing did not issue is refused (a 400). */
function editionIdBefore(cursor: string): string {
  const key = decodeCursor(
    cursor,
    (candidate) =>
      hasExactAttributes(candidate, ['id']) && typeof candidate.id === 'string' && EDITION_ID.test(candidate.id),
  );
  return String(key.id);
}
