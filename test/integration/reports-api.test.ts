import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

const SECRET = 'Vantablack ledger entries show the Ormskirk relay was bypassed twice by contractors';

function subscriberReport(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Relay faults at the Ormskirk yard',
    summary: 'Two relay faults at the Ormskirk yard point to a maintenance backlog.',
    body: [
      'Operators at the Ormskirk yard recorded two relay faults in October.',
      '',
      'Both faults cleared within an hour, according to the operator log.[^1]',
      '',
      '<!-- paywall -->',
      '',
      `${SECRET}, according to invoices seen by our desk.`,
      '',
      'A second set of invoices puts the backlog at forty-one relays across the region.[^2]',
      '',
      '[^1]: Operator fault log, October edition.',
      '[^2]: Regional maintenance invoices, obtained by Grid Watch.',
    ].join('\n'),
    tier: 'subscriber',
    series: 'grid-watch',
    tags: ['Relays', 'R&D'],
    publishAt: '2026-11-01T09:00:00Z',
    ...overrides,
  };
}

let harness: Harness;
let editorToken: string;

beforeAll(async () => {
  harness = await startHarness();
  const created = await harness.api('/api/editors', { method: 'POST', json: { name: 'Desk editor', role: 'editor' } });
  expect(created.status).toBe(201);
  editorToken = ((await created.json()) as { token: string }).token;
});

afterAll(async () => {
  await harness?.close();
});

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string; fields?: { field: string }[] } }).error;
}

async function tableItems(): Promise<Record<string, unknown>[]> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: harness.stack.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const { Items = [] } = await client.send(new ScanCommand({ TableName: harness.stack.endpoints.tables.Reports }));
  client.destroy();
  return Items;
}

describe('auth at the edge', () => {
  it('answers health without a token', async () => {
    expect((await harness.api('/api/health', { token: null })).status).toBe(200);
  });

  it('rejects a missing, malformed or unknown token with 401 and a JSON error', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Basic abc' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer dsp_ed_unknown' },
    ]) {
      const response = await harness.api('/api/reports', { token: null, headers });
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe('unauthorized');
    }
  });

  it('forbids an editor on an admin route and a revoked token everywhere', async () => {
    const asEditor = await harness.api('/api/editors', { method: 'POST', token: editorToken, json: { name: 'x' } });
    expect(asEditor.status).toBe(403);
    const created = (await (await harness.api('/api/editors', { method: 'POST', json: { name: 'Temp' } })).json()) as {
      id: string;
      token: string;
    };
    expect((await harness.api('/api/reports', { token: created.token })).status).toBe(200);
    expect((await harness.api(`/api/editors/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    const revoked = await harness.api('/api/reports', { token: created.token });
    expect(revoked.status).toBe(403);
    expect((await errorOf(revoked)).code).toBe('forbidden');
  });

  it('rejects a body that is not JSON or not an object with 400', async () => {
    const notJson = await harness.api('/api/reports', {
      method: 'POST',
      token: editorToken,
      body: '{"title":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).code).toBe('invalid_json');
    const notObject = await harness.api('/api/reports', { method: 'POST', token: editorToken, json: ['a'] });
    expect(notObject.status).toBe(400);
  });
});

describe('report intake', () => {
  it('creates a subscriber report and keeps its paid part out of DynamoDB', async () => {
    const response = await harness.api('/api/reports', {
      method: 'POST',
      token: editorToken,
      json: subscriberReport(),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; slug: string; url: string; revision: number };
    expect(created).toMatchObject({ slug: 'relay-faults-at-the-ormskirk-yard', revision: 1 });

    const read = (await (await harness.api(`/api/reports/${created.id}`, { token: editorToken })).json()) as Record<
      string,
      string
    >;
    expect(read.subscriberMarkdown).toContain(SECRET);
    expect(read.fullHtml).toContain('forty-one relays');
    expect(read.publicHtml).not.toContain('Vantablack');

    const items = JSON.stringify(await tableItems());
    expect(items).toContain('Ormskirk yard recorded two relay faults');
    expect(items).not.toContain('Vantablack');
    expect(items).not.toContain('forty-one relays');
    expect(items).not.toContain('Regional maintenance invoices');

    const s3 = new S3Client({
      endpoint: harness.stack.endpoints.s3,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const vault = await s3.send(new ListObjectsV2Command({ Bucket: harness.stack.endpoints.buckets.Vault }));
    const keys = (vault.Contents ?? []).map((object) => object.Key ?? '');
    expect(keys.some((key) => /^paid\/[0-9a-f]{64}\.json$/.test(key))).toBe(true);
    expect(keys.some((key) => /^source\/[0-9a-f]{64}\.json$/.test(key))).toBe(true);
    s3.destroy();
  });

  it('names the wrong field for each kind of bad input and stores nothing', async () => {
    const before = (await tableItems()).length;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ title: '   ' }, 422, 'title'],
      [{ summary: undefined }, 422, 'summary'],
      [{ tier: 'gold' }, 422, 'tier'],
      [{ series: 'nope' }, 422, 'series'],
      [{ publishAt: 'next tuesday' }, 422, 'publishAt'],
      [{ freeAfter: 'soonish' }, 422, 'freeAfter'],
      [{ tags: 'relays' }, 422, 'tags'],
      [{ tags: ['x'.repeat(51)] }, 422, 'tags.0'],
      [{ body: '![](https://example.org/a.png)\n\nText.' }, 422, 'body'],
      [{ body: 'word '.repeat(60_000) }, 413, 'body'],
      [{ leadImage: { url: 'https://example.org/a.png', alt: '' } }, 422, 'leadImage.alt'],
      [{ unexpected: true }, 422, '(body)'],
    ];
    for (const [override, status, field] of cases) {
      const response = await harness.api('/api/reports', {
        method: 'POST',
        token: editorToken,
        json: subscriberReport({ ...override, slug: undefined }),
      });
      expect(response.status, JSON.stringify(override).slice(0, 60)).toBe(status);
      const error = await errorOf(response);
      expect(error.fields?.map((f) => f.field)).toContain(field);
    }
    expect((await tableItems()).length).toBe(before);
  });

  it('answers 409 for a taken slug, 404 for an unknown id and 412 for a stale If-Match', async () => {
    const first = await harness.api('/api/reports', {
      method: 'POST',
      token: editorToken,
      json: subscriberReport({ slug: 'fixed-slug', title: 'Fixed slug one' }),
    });
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: string };
    const clash = await harness.api('/api/reports', {
      method: 'POST',
      token: editorToken,
      json: subscriberReport({ slug: 'fixed-slug', title: 'Fixed slug two' }),
    });
    expect(clash.status).toBe(409);
    expect((await errorOf(clash)).fields?.[0]?.field).toBe('slug');

    const unknown = '/api/reports/01JZZZZZZZZZZZZZZZZZZZZZZZ';
    expect((await harness.api(unknown, { token: editorToken })).status).toBe(404);
    expect((await harness.api(unknown, { method: 'PUT', token: editorToken, json: subscriberReport() })).status).toBe(
      404,
    );
    // Not an id at all: refused by its path rule before any lookup.
    expect((await harness.api('/api/reports/01NOPE', { token: editorToken })).status).toBe(400);

    const update = await harness.api(`/api/reports/${id}`, {
      method: 'PUT',
      token: editorToken,
      json: subscriberReport({ title: 'Fixed slug, corrected' }),
      headers: { 'if-match': '"1"' },
    });
    expect(update.status).toBe(200);
    expect(await update.json()).toMatchObject({ id, slug: 'fixed-slug', revision: 2 });
    const stale = await harness.api(`/api/reports/${id}`, {
      method: 'PUT',
      token: editorToken,
      json: subscriberReport(),
      headers: { 'if-match': '1' },
    });
    expect(stale.status).toBe(412);
  });

  it('replays the first response for a retried Idempotency-Key and refuses the key with another body', async () => {
    const body = subscriberReport({ title: 'Idempotent submission' });
    const send = (json: unknown) =>
      harness.api('/api/reports', {
        method: 'POST',
        token: editorToken,
        json,
        headers: { 'idempotency-key': 'retry-1' },
      });
    const first = await send(body);
    const second = await send(body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const firstAnswer = (await first.json()) as { id: string };
    expect(await second.json()).toEqual(firstAnswer);
    // The key is the editor's own: another editor sending it creates their own report.
    const byAdmin = await harness.api('/api/reports', {
      method: 'POST',
      json: { ...body, slug: 'idempotent-by-admin' },
      headers: { 'idempotency-key': 'retry-1' },
    });
    expect(byAdmin.status).toBe(201);
    expect(((await byAdmin.json()) as { id: string }).id).not.toBe(firstAnswer.id);
    const different = await send({ ...body, title: 'Another body' });
    expect(different.status).toBe(422);
    expect((await errorOf(different)).code).toBe('idempotency_key_reused');
  });

  it('lists reports newest first, paged', async () => {
    const page = (await (await harness.api('/api/reports?limit=2', { token: editorToken })).json()) as {
      items: { publishAt: string }[];
      nextCursor: string | null;
    };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeTruthy();
    const next = await harness.api(`/api/reports?limit=2&cursor=${page.nextCursor}`, { token: editorToken });
    expect(next.status).toBe(200);
    expect((await harness.api('/api/reports?cursor=garbage', { token: editorToken })).status).toBe(400);
  });
});
