import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

it('re-counts a stalled edition from its delivery records when its counters were lost', async () => {
  for (const email of ['r1@example.org', 'r2@example.org', 'r3@example.org']) {
    const put = await harness.api(`/api/subscribers/${encodeURIComponent(email)}`, {
      method: 'PUT',
      json: { tier: 'free', status: 'active' },
    });
    expect(put.status).toBe(200);
  }
  const report = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title: 'Reconciled edition',
      summary: 'A report for the reconciliation test.',
      body: 'Public text.\n\nMore public text.',
      tier: 'complimentary',
      series: 'grid-watch',
      publishAt: new Date(Date.now() - 3_600_000).toISOString(),
    },
  });
  expect(report.status).toBe(201);
  const { id } = (await (await harness.api('/api/digests', { method: 'POST', json: {} })).json()) as { id: string };
  await harness.stack.drain();

  // A sender that died between its delivery records and its counter update, three minutes ago.
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: harness.stack.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  await client.send(
    new UpdateCommand({
      TableName: harness.stack.endpoints.tables.Digests,
      Key: { pk: `EDITION#${id}`, sk: 'EDITION' },
      UpdateExpression: 'SET sent = :zero, #status = :sending, updatedAt = :then REMOVE completedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':zero': 0,
        ':sending': 'sending',
        ':then': new Date(Date.now() - 180_000).toISOString(),
      },
    }),
  );
  client.destroy();

  const progress = (await (await harness.api(`/api/digests/${id}`)).json()) as Record<string, unknown>;
  expect(progress).toMatchObject({ id, status: 'sent', recipients: 3, sent: 3, failed: 0 });
});

it('turns a claim a dead sender left `sending` into a listed unknown outcome that retry-unknown sends', async () => {
  const report = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title: 'Dead claim edition',
      summary: 'A report for the dead-claim test.',
      body: 'Public text.\n\nMore public text.',
      tier: 'complimentary',
      series: 'grid-watch',
    },
  });
  expect(report.status).toBe(201);
  const { id } = (await (await harness.api('/api/digests', { method: 'POST', json: {} })).json()) as { id: string };
  await harness.stack.drain();
  const before = (await (await harness.api(`/api/digests/${id}`)).json()) as { sent: number };

  // A sender killed between its claim and its record, three minutes ago; its message was dead-lettered.
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: harness.stack.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const then = new Date(Date.now() - 180_000).toISOString();
  const table = harness.stack.endpoints.tables.Digests;
  const put = await harness.api(`/api/subscribers/${encodeURIComponent('late@example.org')}`, {
    method: 'PUT',
    json: { tier: 'free', status: 'active' },
  });
  expect(put.status).toBe(200);
  await client.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: `EDITION#${id}`,
        sk: 'TO#dead-claim',
        status: 'sending',
        email: 'late@example.org',
        claimId: 'dead',
        claimedAt: then,
      },
    }),
  );
  await client.send(
    new UpdateCommand({
      TableName: table,
      Key: { pk: `EDITION#${id}`, sk: 'EDITION' },
      UpdateExpression: 'SET recipients = recipients + :one, #status = :sending, updatedAt = :then REMOVE completedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':sending': 'sending', ':then': then },
    }),
  );
  client.destroy();

  const progress = (await (await harness.api(`/api/digests/${id}`)).json()) as Record<string, unknown>;
  expect(progress).toMatchObject({
    status: 'sent-with-gaps',
    unknown: 1,
    reason: expect.stringContaining('1 unknown'),
  });
  const unknown = (await (await harness.api(`/api/digests/${id}/deliveries?outcome=unknown`)).json()) as {
    deliveries: { email: string }[];
  };
  expect(unknown.deliveries.map((delivery) => delivery.email)).toEqual(['late@example.org']);

  expect((await harness.api(`/api/digests/${id}/retry-unknown`, { method: 'POST' })).status).toBe(202);
  await harness.stack.drain();
  const after = (await (await harness.api(`/api/digests/${id}`)).json()) as Record<string, unknown>;

  expect(after).toMatchObject({ status: 'sent', unknown: 0, sent: before.sent + 1 });
});
