import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ReportRecord } from '../core/reports/report';
import type { RevisionEntry } from '../core/reports/report-history';
import { indexKeys, listingSortKey } from '../core/reports/report-lifecycle';
import { tagSlug } from '../core/reports/tags';
import type { Page } from '../core/shared/page';
import { REPORT_ITEM_KEY, reportsTable } from './data-model';
import { batchGetItems, batchWriteItems } from './dynamo/batch';
import { conditionalWrite } from './dynamo/conditional-write';
import { hasExactAttributes, type StoredKey } from './dynamo/cursor';
import { queryAll, queryPage, queryPages } from './dynamo/query';

export { InvalidCursorError } from './dynamo/cursor';

/**
 * The reports table. Item types share one table: the report (`REPORT#id`/`REPORT`), its tag entries
 * (`REPORT#id`/`TAG#slug`, indexed by tag) and slug claims (`SLUG#slug`/`SLUG`), which make slugs unique by a
 * conditional write. Only public parts are ever written here; paid text lives in the vault.
 */
const REPORT_SK = REPORT_ITEM_KEY.sortKey;
const REPORT_PK_PREFIX = REPORT_ITEM_KEY.partitionKeyPrefix;
const reportKey = (id: string) => ({ pk: `${REPORT_PK_PREFIX}${id}`, sk: REPORT_SK });
const slugKey = (slug: string) => ({ pk: `SLUG#${slug}`, sk: 'SLUG' });
/** Revision entries (`REPORT#id`/`REV#000001`): who made each change; ids and names only, never report text. */
const REVISION_SK_PREFIX = 'REV#';
const TAG_SK_PREFIX = 'TAG#';
const tagEntryKey = (id: string, tag: string) => ({ pk: `REPORT#${id}`, sk: `${TAG_SK_PREFIX}${tagSlug(tag)}` });
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

  /**
   * Through the slug claim, which names its report. A claim whose report item was never written (a create that
   * failed before its clean-up) finds nothing, as it should: no report has that slug.
   */
  async bySlug(slug: string): Promise<ReportRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: slugKey(slug), ConsistentRead: true }),
    );
    const reportId: unknown = Item?.reportId;
    if (typeof reportId !== 'string') return undefined;
    const record = await this.get(reportId);
    // Slugs never change after creation, so the claim's report holds the slug; checked all the same.
    return record?.slug === slug ? record : undefined;
  }

  /** True when the slug is now (or already was) this report's; false when another report holds it. */
  async claimSlug(slug: string, reportId: string): Promise<boolean> {
    return conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...slugKey(slug), reportId },
        ConditionExpression: 'attribute_not_exists(pk) OR reportId = :id',
        ExpressionAttributeValues: { ':id': reportId },
      }),
    );
  }

  async releaseSlug(slug: string, reportId: string): Promise<void> {
    if (await this.get(reportId)) return;
    // False when another report holds the slug by now: then it is not ours to release.
    await conditionalWrite(
      this.client,
      new DeleteCommand({
        TableName: this.tableName,
        Key: slugKey(slug),
        ConditionExpression: 'reportId = :id',
        ExpressionAttributeValues: { ':id': reportId },
      }),
    );
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
    await batchWriteItems(
      this.client,
      this.tableName,
      tagEntryItems(record).map((Item) => ({ PutRequest: { Item } })),
    );
  }

  /** Removes tag entries the report no longer carries; runs after the report item is written. */
  async deleteStaleTagEntries(record: ReportRecord): Promise<void> {
    const entries = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tag)',
      ExpressionAttributeValues: { ':pk': `REPORT#${record.id}`, ':tag': TAG_SK_PREFIX },
    });
    const current = new Set(record.tags.map((tag) => tagEntryKey(record.id, tag).sk));
    const stale = entries.filter((item) => !current.has(String(item.sk)));
    await batchWriteItems(
      this.client,
      this.tableName,
      stale.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
    );
  }

  async claimRevision(entry: RevisionEntry, writeId: string, staleBefore: Date): Promise<boolean> {
    return conditionalWrite(
      this.client,
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
  }

  async releaseRevision(reportId: string, revision: number, writeId: string): Promise<void> {
    // False when another write has claimed the revision since: then it is not ours to release.
    await conditionalWrite(
      this.client,
      new DeleteCommand({
        TableName: this.tableName,
        Key: revisionKey(reportId, revision),
        ConditionExpression: 'writeId = :writeId',
        ExpressionAttributeValues: { ':writeId': writeId },
      }),
    );
  }

  async revisions(reportId: string): Promise<RevisionEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rev)',
      ExpressionAttributeValues: { ':pk': `REPORT#${reportId}`, ':rev': REVISION_SK_PREFIX },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      reportId,
      revision: Number(item.revision),
      action: item.action as RevisionEntry['action'],
      editorId: String(item.editorId),
      ...(typeof item.editorName === 'string' ? { editorName: item.editorName } : {}),
      at: String(item.at),
    }));
  }

  /** Every report, newest go-live first, for editors. */
  async list(limit: number, cursor?: string): Promise<Page<ReportRecord>> {
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: INDEX.byKind,
        KeyConditionExpression: 'kind = :kind',
        ExpressionAttributeValues: { ':kind': 'report' },
        ScanIndexForward: false,
        Limit: limit,
      },
      cursor,
      isListingKey,
    );
    return { items: page.items.map(toRecord), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
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
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.byListing,
      KeyConditionExpression: 'listing = :public AND sortKey BETWEEN :start AND :end',
      FilterExpression: 'attribute_not_exists(mail) OR mail <> :false',
      ExpressionAttributeValues: { ':public': 'public', ':start': window.start, ':end': window.end, ':false': false },
      ScanIndexForward: true,
      Limit: Math.max(limit, WINDOW_PAGE_MIN),
    });
    for await (const page of pages) {
      found.push(...(page.Items ?? []).map(toRecord));
      if (found.length >= limit) break;
    }
    return found.slice(0, limit);
  }

  /**
   * The latest `limit` published reports carrying a tag. Tag entries may briefly outlive a tag change (they are
   * written before and cleaned after the report), so each candidate is checked against the report itself.
   */
  async latestPublishedWithTag(slug: string, limit: number): Promise<ReportRecord[]> {
    const found: ReportRecord[] = [];
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.byTag,
      KeyConditionExpression: 'tagKey = :tag',
      ExpressionAttributeValues: { ':tag': slug },
      ScanIndexForward: false,
      Limit: limit * 2,
    });
    for await (const page of pages) {
      const ids = (page.Items ?? []).map((item) => String(item.reportId));
      const reports = await this.getMany(ids);
      for (const id of ids) {
        const report = reports.get(id);
        if (report && report.listing === 'public' && report.record.tags.some((tag) => tagSlug(tag) === slug)) {
          found.push(report.record);
        }
      }
      if (found.length >= limit) break;
    }
    return found.slice(0, limit);
  }

  /**
   * The latest `limit` published reports of a series. The bySeries index holds the series' scheduled and
   * unpublished reports too; the filter keeps the listed ones, and since DynamoDB applies Limit before the filter,
   * pages are read until `limit` are found. With every report listed that is one read of `limit` items.
   */
  async latestPublishedInSeries(seriesId: string, limit: number): Promise<ReportRecord[]> {
    const found: ReportRecord[] = [];
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.bySeries,
      KeyConditionExpression: '#series = :series',
      FilterExpression: 'listing = :public',
      ExpressionAttributeNames: { '#series': 'series' },
      ExpressionAttributeValues: { ':series': seriesId, ':public': 'public' },
      ScanIndexForward: false,
      Limit: limit,
    });
    for await (const page of pages) {
      found.push(...(page.Items ?? []).map(toRecord));
      if (found.length >= limit) break;
    }
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
    const items = await batchGetItems(this.client, this.tableName, [...new Set(ids)].map(reportKey));
    for (const item of items) {
      const record = toRecord(item);
      result.set(record.id, { record, ...(item.listing ? { listing: String(item.listing) } : {}) });
    }
    return result;
  }

  private async conditionalPut(
    record: ReportRecord,
    now: Date,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: reportItem(record, now),
        ConditionExpression: condition,
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  }
}

/** The report item as stored: the record, its index keys as of `now`, and its table key. */
export function reportItem(record: ReportRecord, now: Date): Record<string, unknown> {
  return { ...record, ...indexKeys(record, now), ...reportKey(record.id) };
}

/** One tag entry per tag of the report, indexed by tag and ordered like the listing. */
export function tagEntryItems(record: ReportRecord): Record<string, unknown>[] {
  return record.tags.map((tag) => ({
    ...tagEntryKey(record.id, tag),
    tagKey: tagSlug(tag),
    tag,
    sortKey: listingSortKey(record),
    reportId: record.id,
  }));
}

export function toRecord(item: Record<string, unknown>): ReportRecord {
  const record: Record<string, unknown> = { ...item };
  for (const key of STORAGE_KEYS) delete record[key];
  return record as unknown as ReportRecord;
}

/** True when a stream image is a report item (not a tag entry or slug claim). */
export function isReportItem(item: Record<string, unknown> | undefined): boolean {
  return item?.sk === REPORT_SK && typeof item.pk === 'string' && item.pk.startsWith(REPORT_PK_PREFIX);
}

/** A key of the byKind listing, the only cursor `list` issues. */
function isListingKey(key: StoredKey): boolean {
  return (
    hasExactAttributes(key, ['kind', 'pk', 'sk', 'sortKey']) &&
    key.kind === 'report' &&
    typeof key.pk === 'string' &&
    key.pk.startsWith('REPORT#') &&
    key.sk === REPORT_SK &&
    typeof key.sortKey === 'string'
  );
}
