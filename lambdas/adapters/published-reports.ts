import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReportRecord } from '../core/report';
import type { EditionWindow } from '../core/editions';
import { reportsTable } from './data-model';
import { toRecord } from './reports-store';

const BY_LISTING = reportsTable.indexes[0].name;

/**
 * Published reports of a digest window, from the sparse byListing index (`sortKey` = `${publishAt}#${id}`):
 * newest first, and the key condition stops at the window start, so an edition reads only its own reports.
 */
export class PublishedReports {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reports with publishAt in [start, end), newest first, at most `limit`. */
  async inWindow(window: EditionWindow, limit: number): Promise<ReportRecord[]> {
    const found: ReportRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_LISTING,
          // `${end}#id` sorts after `${end}`, so BETWEEN start AND end is exactly [start, end).
          KeyConditionExpression: 'listing = :public AND sortKey BETWEEN :start AND :end',
          ExpressionAttributeValues: { ':public': 'public', ':start': window.start, ':end': window.end },
          ScanIndexForward: false,
          Limit: limit - found.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...(page.Items ?? []).map(toRecord));
      start = page.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found;
  }
}
