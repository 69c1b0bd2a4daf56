import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ROLES, type EditorRecord } from '../core/editors/editor-tokens';
import { editorsTable } from './data-model';
import { queryAll } from './dynamo/query';

const [BY_EDITOR_ID, BY_ROLE] = editorsTable.indexes;

export class EditorsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByTokenHash(tokenHash: string): Promise<EditorRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { tokenHash }, ConsistentRead: true }),
    );
    return Item as EditorRecord | undefined;
  }

  /** Every editor, revoked ones included: one Query per role on the byRole index, never a Scan. */
  async list(): Promise<EditorRecord[]> {
    const perRole = await Promise.all(
      ROLES.map((role) =>
        queryAll(this.client, {
          TableName: this.tableName,
          IndexName: BY_ROLE.name,
          KeyConditionExpression: '#role = :role',
          ExpressionAttributeNames: { '#role': 'role' },
          ExpressionAttributeValues: { ':role': role },
        }),
      ),
    );
    return perRole.flat() as unknown as EditorRecord[];
  }

  async create(editor: EditorRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: editor,
        ConditionExpression: 'attribute_not_exists(tokenHash)',
      }),
    );
  }

  /** Marks the editor's token revoked; returns false when no editor has that id. */
  async revoke(editorId: string, revokedAt: string): Promise<boolean> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: BY_EDITOR_ID.name,
      KeyConditionExpression: 'editorId = :id',
      ExpressionAttributeValues: { ':id': editorId },
    });
    for (const item of items as unknown as EditorRecord[]) {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tokenHash: item.tokenHash },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(tokenHash)',
          ExpressionAttributeValues: { ':at': revokedAt },
        }),
      );
    }
    return items.length > 0;
  }
}
