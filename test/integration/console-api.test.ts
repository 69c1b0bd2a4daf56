import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../local/cli/main';
import { startHarness, type Harness } from './harness';

/**
 * The routes the editor console reads (issue 14): report list status, editors, subscribers, editions and the
 * digest test send, end to end through the local gateway, authorizer, handlers, dynalite and the SES emulator.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

const PAID_LINE = 'Vault-only: the Harrow feeder was switched by hand at 02:10 on the ninth night';
const TEST_SEND_LINE = 'Paid readers only: breaker TESTSEND-7731 tripped twice before dawn';

let harness: Harness;
let editorToken: string;
let documents: DynamoDBDocumentClient;

async function body<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

async function mails(): Promise<StoredMail[]> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  return emails;
}

let reportCounter = 0;
async function submit(overrides: Record<string, unknown> = {}): Promise<{ id: string; slug: string }> {
  reportCounter += 1;
  const response = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title: `Feeder report ${reportCounter}`,
      summary: 'What the Harrow feeder did this week.',
      body: `Public opening.\n\nPublic second paragraph.\n\n<!-- paywall -->\n\n${PAID_LINE}.`,
      tier: 'subscriber',
      series: 'grid-watch',
      tags: ['feeders'],
      ...overrides,
    },
  });
  return body(response, 201);
}

beforeAll(async () => {
  harness = await startHarness();
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: harness.stack.endpoints.dynamodb,
      region: harness.stack.endpoints.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const created = await body<{ token: string }>(
    await harness.api('/api/editors', { method: 'POST', json: { name: 'Desk Editor', role: 'editor' } }),
    201,
  );
  editorToken = created.token;
});

afterAll(async () => {
  await harness?.close();
});

describe('access', () => {
  const adminRoutes = [
    ['GET', '/api/editors'],
    ['GET', '/api/subscribers'],
    ['GET', '/api/digests'],
    ['POST', '/api/digests/test'],
  ] as const;

  it.each([...adminRoutes, ['GET', '/api/reports'] as const])('%s %s without a token is 401', async (method, path) => {
    const response = await harness.api(path, { method, token: null, ...(method === 'POST' ? { json: {} } : {}) });
    expect((await body<ErrorBody>(response, 401)).error.code).toBe('unauthorized');
  });

  it.each(adminRoutes)('%s %s with an editor (not admin) token is 403', async (method, path) => {
    const response = await harness.api(path, {
      method,
      token: editorToken,
      ...(method === 'POST' ? { json: { email: 'x@example.org', tier: 'free' } } : {}),
    });
    expect((await body<ErrorBody>(response, 403)).error.code).toBe('forbidden');
  });

  it('GET /api/reports is open to an editor token', async () => {
    expect((await harness.api('/api/reports', { token: editorToken })).status).toBe(200);
  });
});

describe('GET /api/editors', () => {
  it('lists every editor oldest first, revoked ones with revokedAt, never a token or its hash', async () => {
    const second = await body<{ id: string; token: string }>(
      await harness.api('/api/editors', { method: 'POST', json: { name: 'Night Desk' } }),
      201,
    );
    await body(await harness.api(`/api/editors/${second.id}`, { method: 'DELETE' }), 200);

    const response = await harness.api('/api/editors');
    const raw = await response.clone().text();
    const { items } = await body<{ items: Record<string, unknown>[] }>(response, 200);

    expect(items.map((item) => item.name)).toEqual(['Local admin', 'Desk Editor', 'Night Desk']);
    expect(items.map((item) => item.role)).toEqual(['admin', 'editor', 'editor']);
    const createdAt = items.map((item) => String(item.createdAt));
    expect([...createdAt].sort()).toEqual(createdAt);
    expect(items[2]).toMatchObject({ id: second.id, revokedAt: expect.any(String) });
    expect(items[1]?.revokedAt).toBeUndefined();
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        item.revokedAt === undefined
          ? ['createdAt', 'id', 'name', 'role']
          : ['createdAt', 'id', 'name', 'revokedAt', 'role'],
      );
    }
    expect(raw).not.toContain(second.token);
    expect(raw).not.toContain(editorToken);
    expect(raw).not.toContain(harness.stack.adminToken);
    expect(raw).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe('GET /api/subscribers', () => {
  const people: [string, 'free' | 'paid', string][] = [
    ['ann@list.test', 'free', 'active'],
    ['Anna.Berg@List.test', 'paid', 'active'],
    ['annika@list.test', 'free', 'unsubscribed'],
    ['bob@list.test', 'paid', 'active'],
    ['bea@list.test', 'free', 'pending'],
    ['cyd@list.test', 'free', 'bounced'],
    ['dee@list.test', 'paid', 'complained'],
  ];
  const stored = people.map(([email]) => email.toLowerCase()).sort();

  beforeAll(async () => {
    for (const [email, tier, status] of people) {
      await body(
        await harness.api(`/api/subscribers/${encodeURIComponent(email)}`, { method: 'PUT', json: { tier, status } }),
        200,
      );
    }
  });

  type ListPage = { items: Record<string, unknown>[]; nextCursor?: string };

  async function everyPage(query: string): Promise<ListPage[]> {
    const pages: ListPage[] = [];
    let cursor: string | undefined;
    do {
      const separator = query ? '&' : '';
      const path = `/api/subscribers?${query}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await body<ListPage>(await harness.api(path), 200);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 20);
    return pages;
  }

  it('lists everyone in address order, whatever their status, with tier, status and dates only', async () => {
    const { items, nextCursor } = await body<ListPage>(await harness.api('/api/subscribers'), 200);
    expect(nextCursor).toBeUndefined();
    expect(items.map((item) => item.email)).toEqual(stored);
    expect(items.find((item) => item.email === 'anna.berg@list.test')).toMatchObject({
      tier: 'paid',
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(new Set(items.map((item) => item.status))).toEqual(
      new Set(['active', 'unsubscribed', 'pending', 'bounced', 'complained']),
    );
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['createdAt', 'email', 'series', 'status', 'tier', 'updatedAt']);
    }
  });

  it('pages through everyone with the cursor: no one twice, no one left out', async () => {
    const pages = await everyPage('limit=2');
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 2, 1]);
    expect(pages.at(-1)?.nextCursor).toBeUndefined();
    expect(pages.flatMap((page) => page.items.map((item) => item.email))).toEqual(stored);
  });

  it('matches an address prefix case-insensitively, across statuses, page by page', async () => {
    const matching = ['ann@list.test', 'anna.berg@list.test', 'annika@list.test'];
    const all = await body<ListPage>(await harness.api('/api/subscribers?q=%20ANN'), 200);
    expect(all.items.map((item) => item.email)).toEqual(matching);

    const pages = await everyPage('q=Ann&limit=1');
    expect(pages.map((page) => page.items.map((item) => item.email))).toEqual(matching.map((email) => [email]));

    const none = await body<ListPage>(await harness.api('/api/subscribers?q=zed'), 200);
    expect(none).toEqual({ items: [] });
    const exact = await body<ListPage>(await harness.api('/api/subscribers?q=BOB%40list.test'), 200);
    expect(exact.items.map((item) => item.email)).toEqual(['bob@list.test']);
  });

  it.each(['0', '101', 'many', '2.5'])('refuses limit=%s with a 422 naming limit', async (limit) => {
    const { error } = await body<ErrorBody>(await harness.api(`/api/subscribers?limit=${limit}`), 422);
    expect(error.fields?.map((field) => field.field)).toEqual(['limit']);
  });

  it('refuses a cursor it did not issue, or one from another prefix, with a 400 naming cursor', async () => {
    const foreign = Buffer.from(JSON.stringify({ pk: 'REPORT#x' })).toString('base64url');
    for (const cursor of ['not-a-cursor', foreign]) {
      const response = await harness.api(`/api/subscribers?cursor=${cursor}`);
      expect((await body<ErrorBody>(response, 400)).error).toMatchObject({
        code: 'invalid_cursor',
        fields: [{ field: 'cursor' }],
      });
    }
    const [first] = await everyPage('q=ann&limit=1');
    const other = await harness.api(`/api/subscribers?q=bob&cursor=${first?.nextCursor ?? ''}`);
    expect((await body<ErrorBody>(other, 400)).error.code).toBe('invalid_cursor');
  });
});

describe('GET /api/reports: status', () => {
  type Line = { id: string; status: string; released: boolean; freeAt?: string; state: string; title: string };
  const line = async (id: string): Promise<Line | undefined> => {
    const { items } = await body<{ items: Line[] }>(await harness.api('/api/reports?limit=100'), 200);
    return items.find((item) => item.id === id);
  };

  it('derives scheduled, live, released, unpublished and leak-blocked, with released and freeAt', async () => {
    const live = await submit({ tier: 'complimentary', title: 'A live complimentary report' });
    const scheduled = await submit({ publishAt: '2999-01-01T09:00:00Z', title: 'A scheduled report' });
    const released = await submit({ publishAt: '2025-01-01', freeAfter: 'P30D', title: 'A released report' });
    const guarded = await submit({ freeAfter: 'P30D', title: 'A guarded report' });
    const gone = await submit({ tier: 'complimentary', title: 'An unpublished report' });
    await body(await harness.api(`/api/reports/${gone.id}`, { method: 'DELETE' }), 200);
    await harness.stack.drain();

    expect(await line(live.id)).toMatchObject({ status: 'live', released: false, state: 'live' });
    expect((await line(live.id))?.freeAt).toBeUndefined();
    expect(await line(scheduled.id)).toMatchObject({ status: 'scheduled', released: false });
    expect(await line(released.id)).toMatchObject({
      status: 'released',
      released: true,
      freeAt: '2025-01-31T00:00:00.000Z',
    });
    expect(await line(guarded.id)).toMatchObject({ status: 'live', released: false, freeAt: expect.any(String) });
    expect(await line(gone.id)).toMatchObject({ status: 'unpublished', state: 'unpublished' });
    expect(await line(live.id)).toMatchObject({ title: 'A live complimentary report' });
  });

  it('shows leak-blocked, over live, while the leak scan has stubbed the current revision', async () => {
    const leaking = await submit({ title: 'A leaking report' });
    await harness.stack.drain();
    expect(await line(leaking.id)).toMatchObject({ status: 'live' });

    // Subscriber text reaches the public copy by a bug elsewhere (as in paywall.test.ts): the scan stubs it.
    const table = harness.stack.endpoints.tables.Reports;
    const { Item } = await documents.send(
      new GetCommand({ TableName: table, Key: { pk: `REPORT#${leaking.id}`, sk: 'REPORT' } }),
    );
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: { ...Item, publicHtml: `${String(Item?.publicHtml)}<p>${PAID_LINE}.</p>`, revision: 2 },
      }),
    );
    await harness.stack.drain();

    expect(await line(leaking.id)).toMatchObject({ status: 'leak-blocked', released: false, state: 'live' });
    const read = await body<{ leakBlocked: unknown }>(await harness.api(`/api/reports/${leaking.id}`), 200);
    expect(read.leakBlocked).toMatchObject({ action: 'stubbed' });
  });
});

describe('digests: test send and list', () => {
  type Summary = Record<string, unknown> & { id: string; status: string };
  type Editions = { items: Summary[]; nextCursor?: string };
  const tester = 'Tester+Console@Outside.test';

  it('mails the free preview to one address with a [Test] subject and records nothing', async () => {
    await submit({
      title: 'Feeder report for the test send',
      body: `Public opening.\n\nPublic second paragraph.\n\n<!-- paywall -->\n\n${TEST_SEND_LINE}.`,
    });
    await harness.stack.drain();
    const before = await body<Editions>(await harness.api('/api/digests'), 200);
    expect(before).toEqual({ items: [] });
    const preview = await body<{ subject: string }>(await harness.api('/api/digests/preview?tier=free'), 200);

    const sent = await body<{ tier: string; subject: string; messageId: string }>(
      await harness.api('/api/digests/test', { method: 'POST', json: { email: tester, tier: 'free' } }),
      202,
    );
    expect(sent).toEqual({ tier: 'free', subject: `[Test] ${preview.subject}`, messageId: expect.any(String) });

    const inbox = (await mails()).filter((mail) => mail.destination.to.includes('tester+console@outside.test'));
    expect(inbox).toHaveLength(1);
    const [mail] = inbox;
    expect(mail?.subject).toBe(sent.subject);
    expect(`${mail?.subject}\n${mail?.body.html}\n${mail?.body.text}`).not.toContain('TESTSEND-7731');
    expect(mail?.body.text).toContain('Feeder report for the test send');
    expect(mail?.headers?.some((header) => header.name.toLowerCase() === 'list-unsubscribe') ?? false).toBe(false);

    // No edition, no window moved: the same edition is still due and previews as before.
    expect(await body<Editions>(await harness.api('/api/digests'), 200)).toEqual({ items: [] });
    expect(await body<{ subject: string }>(await harness.api('/api/digests/preview?tier=free'), 200)).toMatchObject({
      subject: preview.subject,
    });
  });

  it('mails the paid edition with the subscriber text, and its placeholder links do nothing for a reader', async () => {
    const sent = await body<{ tier: string; subject: string }>(
      await harness.api('/api/digests/test', {
        method: 'POST',
        json: { email: 'paid-tester@outside.test', tier: 'paid' },
      }),
      202,
    );
    expect(sent.tier).toBe('paid');
    const [mail] = (await mails()).filter((stored) => stored.destination.to.includes('paid-tester@outside.test'));
    expect(mail?.subject.startsWith('[Test] ')).toBe(true);
    expect(mail?.body.html).toContain('TESTSEND-7731');

    const links = [...(mail?.body.text ?? '').matchAll(/https?:\/\/\S+/g)].map((match) => match[0]);
    const unsubscribe = links.find((link) => link.includes('/api/unsubscribe?token='));
    const feed = links.find((link) => link.includes('/feeds/private/'));
    expect(unsubscribe).toBeDefined();
    expect(feed).toBeDefined();
    const page = await fetch(unsubscribe as string);
    expect(await page.text()).toContain('This link is not valid');
    const oneClick = await fetch(unsubscribe as string, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBeLessThan(500);
    expect((await fetch(feed as string)).status).toBe(404);
    // Nobody was unsubscribed by it: every subscriber keeps the status set above.
    const { items } = await body<{ items: { status: string }[] }>(await harness.api('/api/subscribers'), 200);
    expect(items.filter((item) => item.status === 'unsubscribed')).toHaveLength(1);
  });

  it.each([
    [{ email: 'not-an-address', tier: 'free' }, ['email']],
    [{ email: 'reader@example.org', tier: 'gold' }, ['tier']],
    [{}, ['email', 'tier']],
    [{ email: 'reader@example.org', tier: 'free', extra: 1 }, ['(body)']],
  ])('refuses %j with a 422 naming %j', async (json, fields) => {
    const { error } = await body<ErrorBody>(await harness.api('/api/digests/test', { method: 'POST', json }), 422);
    expect(error.fields?.map((field) => field.field).sort()).toEqual(fields);
  });

  it('lists editions newest first, each as GET /api/digests/{id} shows it, page by page', async () => {
    const ids: string[] = [];
    for (let edition = 0; edition < 3; edition += 1) {
      if (edition > 0) await submit({ title: `Feeder report for edition ${edition}` });
      await harness.stack.drain();
      const accepted = await body<{ id: string }>(await harness.api('/api/digests', { method: 'POST', json: {} }), 202);
      ids.push(accepted.id);
      await harness.stack.drain();
    }
    const newestFirst = [...ids].reverse();

    const first = await body<Editions>(await harness.api('/api/digests?limit=2'), 200);
    expect(first.items.map((item) => item.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await body<Editions>(
      await harness.api(`/api/digests?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`),
      200,
    );
    expect(second.items.map((item) => item.id)).toEqual(newestFirst.slice(2));
    expect(second.nextCursor).toBeUndefined();

    const all = await body<Editions>(await harness.api('/api/digests'), 200);
    expect(all.items.map((item) => item.id)).toEqual(newestFirst);
    for (const item of all.items) {
      expect(item).toEqual(await body(await harness.api(`/api/digests/${item.id}`), 200));
      expect(item).toMatchObject({ status: 'sent', createdAt: expect.any(String), sent: expect.any(Number) });
    }
  });

  it('answers 409 nothing_to_preview when no report is due, as the preview does', async () => {
    const preview = await body<ErrorBody>(await harness.api('/api/digests/preview?tier=free'), 409);
    const test = await body<ErrorBody>(
      await harness.api('/api/digests/test', { method: 'POST', json: { email: tester, tier: 'free' } }),
      409,
    );
    expect(test.error).toEqual(preview.error);
    expect(test.error.code).toBe('nothing_to_preview');
  });

  it.each(['0', '51', 'x'])('refuses limit=%s with a 422 naming limit', async (limit) => {
    const { error } = await body<ErrorBody>(await harness.api(`/api/digests?limit=${limit}`), 422);
    expect(error.fields?.map((field) => field.field)).toEqual(['limit']);
  });

  it('refuses a foreign cursor with a 400', async () => {
    const cursor = Buffer.from(JSON.stringify({ id: 'not-an-edition-id' })).toString('base64url');
    expect((await body<ErrorBody>(await harness.api(`/api/digests?cursor=${cursor}`), 400)).error.code).toBe(
      'invalid_cursor',
    );
  });

  it('limits test sends per client: past 10 a minute the gateway answers 429 with Retry-After', async () => {
    // 21 requests: however a fixed one-minute window splits them, one window sees more than 10.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let attempt = 0; attempt < 21; attempt += 1) {
      const response = await harness.api('/api/digests/test', { method: 'POST', json: {} });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.arrayBuffer();
    }
    expect(statuses).toContain(429);
    expect(statuses.every((status) => status === 422 || status === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('the CLI reads the same lists', () => {
  async function dispatch(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
      env: { DISPATCH_API_URL: harness.stack.apiUrl, DISPATCH_TOKEN: harness.stack.adminToken },
      cwd: harness.dataDir,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      fetch,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    return { code, stdout, stderr };
  }

  it('dispatch editors list prints every editor and no token', async () => {
    const { code, stdout } = await dispatch('editors', 'list');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^id\s+role\s+createdAt\s+revokedAt\s+name$/);
    expect(stdout).toContain('Desk Editor');
    expect(stdout).not.toContain(harness.stack.adminToken);
  });

  it('dispatch subscribers list PREFIX pages through the matches', async () => {
    const { code, stdout, stderr } = await dispatch('subscribers', 'list', 'ANN', '--limit', '2');
    expect(code).toBe(0);
    expect(stdout.match(/@list\.test/g)).toHaveLength(2);
    expect(stderr).toContain('more subscribers exist');
    const all = await dispatch('subscribers', 'list', 'ann', '--all');
    expect(all.stdout).toContain('annika@list.test');
    expect(all.stdout.match(/@list\.test/g)).toHaveLength(3);
  });
});
