import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

const SECRET = 'Sealed ledger: the Halvard substation relay was bypassed on three nights in March';

function report(title: string) {
  return {
    title,
    summary: 'Relay bypasses at Halvard, as the logs show them.',
    body: `Public paragraph one.\n\nPublic paragraph two.\n\n<!-- paywall -->\n\n${SECRET}.`,
    tier: 'subscriber',
    series: 'grid-watch',
  };
}

interface Revision {
  revision: number;
  action: string;
  editorId: string;
  editorName?: string;
  at: string;
}

let harness: Harness;
let ines: { id: string; token: string };
let omar: { id: string; token: string };
let dynamo: DynamoDBClient;

async function editor(name: string) {
  const response = await harness.api('/api/editors', { method: 'POST', json: { name, role: 'editor' } });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string };
}

async function history(id: string): Promise<Revision[]> {
  const response = await harness.api(`/api/reports/${id}`, { token: ines.token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { history: Revision[] }).history;
}

beforeAll(async () => {
  harness = await startHarness();
  ines = await editor('Ines Varga');
  omar = await editor('Omar Haddad');
  dynamo = new DynamoDBClient({
    endpoint: harness.stack.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
});

afterAll(async () => {
  dynamo?.destroy();
  await harness?.close();
});

describe('report history', () => {
  it('records who created, corrected, unpublished and republished a report, in order', async () => {
    const created = await harness.api('/api/reports', { method: 'POST', token: ines.token, json: report('Halvard') });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const put = (token: string, title: string, revision: number) =>
      harness.api(`/api/reports/${id}`, {
        method: 'PUT',
        token,
        json: report(title),
        headers: { 'if-match': `"${revision}"` },
      });
    expect((await put(omar.token, 'Halvard, corrected', 1)).status).toBe(200);
    expect((await harness.api(`/api/reports/${id}`, { method: 'DELETE', token: ines.token })).status).toBe(200);
    expect((await put(omar.token, 'Halvard, republished', 3)).status).toBe(200);

    const entries = await history(id);
    expect(
      entries.map(({ revision, action, editorId, editorName }) => ({ revision, action, editorId, editorName })),
    ).toEqual([
      { revision: 1, action: 'created', editorId: ines.id, editorName: 'Ines Varga' },
      { revision: 2, action: 'updated', editorId: omar.id, editorName: 'Omar Haddad' },
      { revision: 3, action: 'unpublished', editorId: ines.id, editorName: 'Ines Varga' },
      { revision: 4, action: 'updated', editorId: omar.id, editorName: 'Omar Haddad' },
    ]);
    for (const entry of entries) expect(Date.parse(entry.at)).not.toBeNaN();
  });

  it('records nothing for a change that did not happen: a stale If-Match, or the loser of a race', async () => {
    const created = await harness.api('/api/reports', { method: 'POST', token: ines.token, json: report('Race') });
    const { id } = (await created.json()) as { id: string };
    const stale = await harness.api(`/api/reports/${id}`, {
      method: 'PUT',
      token: omar.token,
      json: report('Race, stale'),
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    expect((await history(id)).map((entry) => entry.revision)).toEqual([1]);

    const [first, second] = await Promise.all(
      [ines, omar].map((who) =>
        harness.api(`/api/reports/${id}`, {
          method: 'PUT',
          token: who.token,
          json: report(`Race, by ${who.id}`),
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    const statuses = [first?.status, second?.status].sort();
    expect(statuses[0]).toBe(200);
    expect([409, 412]).toContain(statuses[1]);
    const winner = first?.status === 200 ? ines : omar;
    const entries = await history(id);
    expect(entries.map((entry) => [entry.revision, entry.action, entry.editorId])).toEqual([
      [1, 'created', ines.id],
      [2, 'updated', winner.id],
    ]);
    const read = (await (await harness.api(`/api/reports/${id}`, { token: ines.token })).json()) as { title: string };
    expect(read.title).toBe(`Race, by ${winner.id}`);
  });

  it('keeps revision entries in the reports table without any report text', async () => {
    const created = await harness.api('/api/reports', { method: 'POST', token: ines.token, json: report('Stored') });
    const { id } = (await created.json()) as { id: string };
    const { Items = [] } = await DynamoDBDocumentClient.from(dynamo).send(
      new QueryCommand({
        TableName: harness.stack.endpoints.tables.Reports,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rev)',
        ExpressionAttributeValues: { ':pk': `REPORT#${id}`, ':rev': 'REV#' },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items[0]?.sk).toBe('REV#000001');
    expect(JSON.stringify(Items)).not.toContain('Halvard');
    expect(JSON.stringify(Items)).not.toContain(SECRET.slice(0, 20));
    expect(Object.keys(Items[0] ?? {}).sort()).toEqual(
      ['action', 'at', 'editorId', 'editorName', 'pk', 'revision', 'sk', 'writeId'].sort(),
    );
    // The feed publisher ignores revision entries: the report still publishes normally.
    await harness.stack.drain();
    expect(harness.stack.deadLetters()).toMatchObject({});
  });
});
