import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { digestsTable, editorsTable, type TableDefinition } from '../../lambdas/adapters/data-model';
import { editionKey, windowKey } from '../../lambdas/adapters/digests-table';
import { newEdition } from '../../lambdas/core/digest/edition';
import { issueEditor } from '../../lambdas/core/editors/editors';
import { createTableInput } from '../../local/provision';
import { localTableName, startLocalStack, type LocalStack } from '../../local/stack';
import { TEST_STACK_OPTIONS } from './harness';

/**
 * A data dir written before the editors' byRole and the digests' byTrigger indexes existed. On AWS, adding an
 * index backfills it; dynalite cannot add one, so local provisioning rebuilds such a table with its items. The
 * old admin token must still work, and the old editor and edition must be listed.
 */
const EDITION_ID = '01JD8Z4X7RG0000000000000AB';
let dataDir: string;
let stack: LocalStack | undefined;
let oldToken: string;

/** The definition as it was: without the index this change adds. */
const withoutIndex = (table: TableDefinition, index: string): TableDefinition => ({
  ...table,
  indexes: table.indexes.filter((candidate) => candidate.name !== index),
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dispatch-upgrade-'));
  const server = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  for (const [table, index] of [
    [editorsTable, 'byRole'],
    [digestsTable, 'byTrigger'],
  ] as const) {
    await client.send(new CreateTableCommand(createTableInput(withoutIndex(table, index), localTableName(table))));
  }
  const admin = issueEditor('Admin from before', 'admin', new Date('2026-01-05T10:00:00.000Z'));
  oldToken = admin.token;
  await documents.send(new PutCommand({ TableName: localTableName(editorsTable), Item: admin.record }));
  const edition = newEdition({
    id: EDITION_ID,
    trigger: 'schedule',
    window: { start: '2026-01-04T00:00:00.000Z', end: '2026-01-05T00:00:00.000Z' },
    reportIds: [],
    now: new Date('2026-01-05T00:00:00.000Z'),
  });
  await documents.send(
    new PutCommand({ TableName: localTableName(digestsTable), Item: { ...editionKey(EDITION_ID), ...edition } }),
  );
  // A window claim carries `trigger` too, but no `id`: it must stay out of the list.
  await documents.send(
    new PutCommand({
      TableName: localTableName(digestsTable),
      Item: {
        ...windowKey(edition.windowStart),
        editionId: EDITION_ID,
        windowStart: edition.windowStart,
        windowEnd: edition.windowEnd,
        trigger: 'schedule',
        createdAt: edition.createdAt,
        reportIds: [],
      },
    }),
  );
  await writeFile(join(dataDir, 'admin-token'), `${oldToken}\n`);
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));

  stack = await startLocalStack({ ...TEST_STACK_OPTIONS, dataDir });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const api = (path: string) =>
  fetch(`${stack?.apiUrl ?? ''}${path}`, { headers: { authorization: `Bearer ${oldToken}` } });

it('keeps the old admin token working and lists the editor stored before the index existed', async () => {
  const response = await api('/api/editors');
  expect(response.status).toBe(200);
  const { items } = (await response.json()) as { items: { name: string; role: string }[] };
  expect(items).toEqual([
    { id: expect.any(String), name: 'Admin from before', role: 'admin', createdAt: '2026-01-05T10:00:00.000Z' },
  ]);
});

it('lists the edition stored before the index existed, and not its window claim', async () => {
  const response = await api('/api/digests');
  expect(response.status).toBe(200);
  const { items } = (await response.json()) as { items: { id: string; status: string; trigger: string }[] };
  expect(items.map(({ id, status, trigger }) => ({ id, status, trigger }))).toEqual([
    { id: EDITION_ID, status: 'planning', trigger: 'schedule' },
  ]);
  expect((await api(`/api/digests/${EDITION_ID}`)).status).toBe(200);
});
