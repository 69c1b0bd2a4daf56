import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { EditionPageEntry, EditionPageIndex } from '../core/digest/edition-pages';
import { EDITION_PAGES_PARTITION, editionPageEntryKey } from './digests-table';
import { queryPages } from './dynamo/query';

const entrySchema = z.object({ id: z.string(), date: z.string(), subject: z.string() });

/**
 * The editions with a web page, in the digests table (see digests-table.ts): one item per edition, keyed by date
 * then id so a query reads them newest first. A re-plan puts the same item again.
 */
export class EditionPagesStore implements EditionPageIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordPage(entry: EditionPageEntry): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...editionPageEntryKey(entry.date, entry.id), id: entry.id, date: entry.date, subject: entry.subject },
      }),
    );
  }

  async latestPages(limit: number): Promise<EditionPageEntry[]> {
    const entries: EditionPageEntry[] = [];
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': EDITION_PAGES_PARTITION },
      ProjectionExpression: 'id, #date, subject',
      ExpressionAttributeNames: { '#date': 'date' },
      ScanIndexForward: false,
      Limit: limit,
    });
    for await (const page of pages) {
      for (const item of page.Items ?? []) entries.push(entrySchema.parse(item));
      if (entries.length >= limit) break;
    }
    return entries.slice(0, limit);
  }
}
