import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeakStatus, LeakStatusRepository } from '../core/paywall/leak-status';
import { LEAK_STATUS_KEY_PREFIX } from './data-model';

/**
 * What the leak scan last did about a report, one item per report (`LEAK#id`/`LEAK`) in the reports table. Not a
 * report item, so the stream consumers pass it by; the feed publisher may write only under this key prefix (an
 * IAM condition on the leading key), never a report.
 */
const keyOf = (reportId: string) => ({ pk: `${LEAK_STATUS_KEY_PREFIX}${reportId}`, sk: 'LEAK' });

export class LeakStatusStore implements LeakStatusRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(reportId: string): Promise<LeakStatus | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(reportId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      reportId,
      revision: Number(Item.revision),
      artifacts: Array.isArray(Item.artifacts) ? Item.artifacts.map(String) : [],
      action: Item.action === 'withheld' ? 'withheld' : 'stubbed',
      at: String(Item.at),
    };
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
