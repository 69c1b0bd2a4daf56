import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ScanCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
  type AttributeDefinition,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../lambdas/adapters/data-model';

/** CreateTable input from the shared definition, the same one the CDK stateful stack builds from. */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const keys = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of keys) if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  const keySchema = (partition: { name: string }, sort?: { name: string }) => [
    { AttributeName: partition.name, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()],
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
  };
}

export async function ensureTables(
  client: DynamoDBClient,
  tables: { definition: TableDefinition; tableName: string }[],
): Promise<void> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  for (const { definition, tableName } of tables) {
    if (!existing.has(tableName)) await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
    else await addMissingIndexes(client, definition, tableName);
  }
}

/**
 * A data dir from before an index was added to the data model (on AWS, CloudFormation adds it and DynamoDB
 * backfills it). dynalite cannot add an index to a table, so the table is rebuilt with its items: read whole
 * (Scan is fine here, in local provisioning; no Lambda may Scan), deleted, created from the definition and
 * written back. Runs once, at start, before any handler.
 */
async function addMissingIndexes(client: DynamoDBClient, definition: TableDefinition, tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  if (definition.indexes.every((index) => present.has(index.name))) return;
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const waiter = { client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 };
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await waitUntilTableNotExists(waiter, { TableName: tableName });
  await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
  await waitUntilTableExists(waiter, { TableName: tableName });
  for (let offset = 0; offset < items.length; offset += 25) {
    let pending = items.slice(offset, offset + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      );
    }
  }
}
