import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { ReportRecord } from '../core/reports/report';
import type { RevisionEntry } from '../core/reports/report-history';
import { indexKeys, listingSortKey } from '../core/reports/report-lifecycle';
import { tagSlug } from '../core/reports/tags';
import type { Page } from '../core/shared/page';
import { reportsTable } from './data-model';

/**
 * The reports table. Item types share one table: the report (`REPORT#id`/`REPORT`), its tag entries
 * (`REPORT#id`/`TAG#slug`, indexed by tag) and slug claims (`SLUG#slug`/`SLUG`), which make slugs unique by a
 * conditional write. Only public parts are ever written here; paid text lives in the vault.
 */
const REPORT_SK = 'REPORT';
const reportKey = (id: string) => ({ pk: `REPORT#${id}`, sk: REPORT_SK });
/** Revision entries (`REPORT#id`/`REV#000001`): who made each change; ids and names only, never report text. */
const REVISION_SK_PREFIX = 'REV#';
const revisionKey = (id: string, revision: number) => ({
  pk: `REPORT#${id}`,
  sk: `${REVISION_SK_PREFIX}${String(revision).padStart(6, '0')}`,
});
const INDEX = Object.fromEntries(reportsTable.indexes.map((index) => [index.name, index.name])) as Record<
  (typeof reportsTable.indexes)[number]['name'],
  string
>;
const STORAGE_KEYS = ['pk', 'sk', 'kind', 'sortKey', 'listing', 'dueKey', 'dueAt'] as const;
/** Smallest page of a window read: a run of `mail: false` imports is stepped over in a few reads, not many. */
const WINDOW_PAGE_MIN = 100;

export class ReportsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<ReportRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: reportKey(id), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  /** True when the slug is now (or already was) this report's; false when another report holds it. */
  async claimSlug(slug: string, reportId: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `SLUG#${slug}`, sk: 'SLUG', reportId },
          ConditionExpression: 'attribute_not_exists(pk) OR reportId = :id',
          ExpressionAttributeValues: { ':id': reportId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseSlug(slug: string, reportId: string): Promise<void> {
    if (await this.get(reportId)) return;
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `SLUG#${slug}`, sk: 'SLUG' },
          ConditionExpression: 'reportId = :id',
          ExpressionAttributeValues: { ':id': reportId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Creates the report item; false if the id exists already. */
  async create(record: ReportRecord, now: Date): Promise<boolean> {
    return this.conditionalPut(record, now, 'attribute_not_exists(pk)', {});
  }

  /** Replaces the report item if its stored revision is still `expectedRevision`. */
  async replace(record: ReportRecord, expectedRevision: number, now: Date): Promise<boolean> {
    return this.conditionalPut(record, now, 'revision = :expected', { ':expected': expectedRevision });
  }

  /** Tag entries for the report's current tags; written before the report so a tag feed never misses it. */
  async putTagEntries(record: ReportRecord): Promise<void> {
    const entries = record.tags.map((tag) => ({
      PutRequest: {
        Item: {
          pk: `REPORT#${record.id}`,
          sk: `TAG#${tagSlug(tag)}`,
          tagKey: tagSlug(tag),
          tag,
          sortKey: listingSortKey(record),
          reportId: record.id,
        },
      },
    }));
    await this.batchWrite(entries);
  }

  /** Removes tag entries the report no longer carries; runs after the report item is written. */
  async deleteStaleTagEntries(record: ReportRecord): Promise<void> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tag)',
        ExpressionAttributeValues: { ':pk': `REPORT#${record.id}`, ':tag': 'TAG#' },
      }),
    );
    const current = new Set(record.tags.map((tag) => `TAG#${tagSlug(tag)}`));
    const stale = Items.filter((item) => !current.has(String(item.sk)));
    await this.batchWrite(stale.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })));
  }

  async claimRevision(entry: RevisionEntry, writeId: string, staleBefore: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...revisionKey(entry.reportId, entry.revision),
            revision: entry.revision,
            action: entry.action,
            editorId: entry.editorId,
            ...(entry.editorName ? { editorName: entry.editorName } : {}),
            at: entry.at,
            writeId,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR writeId = :writeId OR #at < :staleBefore',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':writeId': writeId, ':staleBefore': staleBefore.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseRevision(reportId: string, revision: number, writeId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: revisionKey(reportId, revision),
          ConditionExpression: 'writeId = :writeId',
          ExpressionAttributeValues: { ':writeId': writeId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async revisions(reportId: string): Promise<RevisionEntry[]> {
    const entries: RevisionEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rev)',
          ExpressionAttributeValues: { ':pk': `REPORT#${reportId}`, ':rev': REVISION_SK_PREFIX },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        entries.push({
          reportId,
          revision: Number(item.revision),
          action: item.action as RevisionEntry['action'],
          editorId: String(item.editorId),
          ...(typeof item.editorName === 'string' ? { editorName: item.editorName } : {}),
          at: String(item.at),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  /** Every report, newest go-live first, for editors. */
  async list(limit: number, cursor?: string): Promise<Page<ReportRecord>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byKind,
        KeyConditionExpression: 'kind = :kind',
        ExpressionAttributeValues: { ':kind': 'report' },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
      }),
    );
    return {
      items: (page.Items ?? []).map(toRecord),
      ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}),
    };
  }

  /** The latest `limit` published reports: one query on a sparse index, whatever the archive's size. */
  async latestPublished(limit: number): Promise<ReportRecord[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byListing,
        KeyConditionExpression: 'listing = :public',
        ExpressionAttributeValues: { ':public': 'public' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(toRecord);
  }

  /**
   * A digest window: published reports that may be mailed, with listing key in [start, end), oldest first, at most
   * `limit`. Bounds are instants or keys (`${key}~`, just after one report); both compare as strings against
   * `${go-live}#${id}`, so `${end}#id` sorts after an instant `end` and BETWEEN is exactly [start, end). The key
   * condition keeps the read inside the window; `mail: false` reports are filtered out, so they never count
   * toward `limit` (DynamoDB applies Limit before the filter, hence the loop).
   */
  async publishedInWindow(window: { start: string; end: string }, limit: number): Promise<ReportRecord[]> {
    const found: ReportRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byListing,
          KeyConditionExpression: 'listing = :public AND sortKey BETWEEN :start AND :end',
          FilterExpression: 'attribute_not_exists(mail) OR mail <> :false',
          ExpressionAttributeValues: {
            ':public': 'public',
            ':start': window.start,
            ':end': window.end,
            ':false': false,
          },
          ScanIndexForward: true,
          Limit: Math.max(limit - found.length, WINDOW_PAGE_MIN),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...(page.Items ?? []).map(toRecord));
      start = page.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found.slice(0, limit);
  }

  /**
   * The latest `limit` published reports carrying a tag. Tag entries may briefly outlive a tag change (they are
   * written before and cleaned after the report), so each candidate is checked against the report itself.
   */
  async latestPublishedWithTag(slug: string, limit: number): Promise<ReportRecord[]> {
    const found: ReportRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byTag,
          KeyConditionExpression: 'tagKey = :tag',
          ExpressionAttributeValues: { ':tag': slug },
          ScanIndexForward: false,
          Limit: limit * 2,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const ids = (page.Items ?? []).map((item) => String(item.reportId));
      const reports = await this.getMany(ids);
      for (const id of ids) {
        const report = reports.get(id);
        if (report && report.listing === 'public' && report.record.tags.some((tag) => tagSlug(tag) === slug)) {
          found.push(report.record);
        }
      }
      start = page.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found.slice(0, limit);
  }

  /** Reports whose next transition is due at or before `now`. */
  async due(now: Date, limit = 100): Promise<ReportRecord[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byDue,
        KeyConditionExpression: 'dueKey = :due AND dueAt <= :now',
        ExpressionAttributeValues: { ':due': 'due', ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return Items.map(toRecord);
  }

  /** The earliest publishAt ≤ now of a live report the release sweeper has not listed yet. */
  async earliestUnlistedPublication(now: Date): Promise<string | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byDue,
        KeyConditionExpression: 'dueKey = :due AND dueAt <= :now',
        FilterExpression: 'attribute_not_exists(listing) AND #state = :live AND publishAt <= :now',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':due': 'due', ':now': now.toISOString(), ':live': 'live' },
      }),
    );
    return Items.map((item) => String(item.publishAt)).sort()[0];
  }

  private async getMany(ids: string[]): Promise<Map<string, { record: ReportRecord; listing?: string }>> {
    const result = new Map<string, { record: ReportRecord; listing?: string }>();
    const unique = [...new Set(ids)];
    for (let offset = 0; offset < unique.length; offset += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(offset, offset + 100).map(reportKey);
      while (keys && keys.length > 0) {
        const response: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const record = toRecord(item);
          result.set(record.id, { record, ...(item.listing ? { listing: String(item.listing) } : {}) });
        }
        keys = response.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return result;
  }

  private async conditionalPut(
    record: ReportRecord,
    now: Date,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, ...indexKeys(record, now), ...reportKey(record.id) },
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let offset = 0; offset < requests.length; offset += 25) {
      let pending: Record<string, unknown>[] | undefined = requests.slice(offset, offset + 25);
      for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const response: BatchWriteCommandOutput = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }),
        );
        pending = response.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
      }
    }
  }
}

export function toRecord(item: Record<string, unknown>): ReportRecord {
  const record: Record<string, unknown> = { ...item };
  for (const key of STORAGE_KEYS) delete record[key];
  return record as unknown as ReportRecord;
}

/** True when a stream image is a report item (not a tag entry or slug claim). */
export function isReportItem(item: Record<string, unknown> | undefined): boolean {
  return item?.sk === REPORT_SK && typeof item.pk === 'string' && item.pk.startsWith('REPORT#');
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new InvalidCursorError();
  }
  // Only the exact key shape this API issues gets through; anything else would reach DynamoDB as a 500.
  const key = parsed as Record<string, unknown> | null;
  const valid =
    key !== null &&
    typeof key === 'object' &&
    !Array.isArray(key) &&
    Object.keys(key).sort().join(',') === 'kind,pk,sk,sortKey' &&
    key.kind === 'report' &&
    typeof key.pk === 'string' &&
    key.pk.startsWith('REPORT#') &&
    key.sk === REPORT_SK &&
    typeof key.sortKey === 'string';
  if (!valid) throw new InvalidCursorError();
  return key;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not one this API issued');
    this.name = 'InvalidCursorError';
  }
}
