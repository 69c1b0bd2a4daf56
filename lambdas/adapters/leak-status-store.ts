import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeakStatus, LeakStatusBatchReader, LeakStatusRepository } from '../core/paywall/leak-status';
import { LEAK_STATUS_KEY_PREFIX } from './data-model';
import { batchGetItems } from './dynamo/batch';

/**
 * What the leak scan last did about a report, one item per report (`LEAK#id`/`LEAK`) in the reports table. Not a
 * report item, so the stream consumers pass it by; the feed publisher may write only under this key prefix (an
 * IAM condition on the leading key), never a report.
 */
const keyOf = (reportId: string) => ({ pk: `${LEAK_STATUS_KEY_PREFIX}${reportId}`, sk: 'LEAK' });

export class LeakStatusStore implements LeakStatusRepository, LeakStatusBatchReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(reportId: string): Promise<LeakStatus | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(reportId), ConsistentRead: true }),
    );
    return Item ? statusOf(reportId, Item) : undefined;
  }

  /** BatchGetItem in calls of 100 keys: a page of the editors' list costs one call, not one per report. */
  async getMany(reportIds: readonly string[]): Promise<ReadonlyMap<string, LeakStatus>> {
    const ids = [...new Set(reportIds)];
    const items = await batchGetItems(this.client, this.tableName, ids.map(keyOf), { consistentRead: true });
    return new Map(
      items.map((item) => {
        const reportId = String(item.pk).slice(LEAK_STATUS_KEY_PREFIX.length);
        return [reportId, statusOf(reportId, item)];
      }),
    );
  }

  async put(status: LeakStatus): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keyOf(status.reportId),
          revision: status.revision,
          artifacts: status.artifacts,
          action: status.action,
          at: status.at,
        },
      }),
    );
  }
}

function statusOf(reportId: string, item: Record<string, unknown>): LeakStatus {
  return {
    reportId,
    revision: Number(item.revision),
    artifacts: Array.isArray(item.artifacts) ? item.artifacts.map(String) : [],
    action: item.action === 'withheld' ? 'withheld' : 'stubbed',
    at: String(item.at),
  };
}
