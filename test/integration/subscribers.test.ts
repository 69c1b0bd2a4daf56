import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscribersStore } from '../../lambdas/adapters/subscribers-store';
import { SubscriberTokens } from '../../lambdas/core/subscriber-tokens';
import { startHarness, type Harness } from './harness';

interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

let harness: Harness;
let store: SubscribersStore;
let tokens: SubscriberTokens;
let dynamo: DynamoDBClient;

async function mailsTo(email: string): Promise<StoredMail[]> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.destination.to.includes(email));
}

const signUp = (email: unknown) => harness.api('/api/subscribers', { method: 'POST', token: null, json: { email } });

beforeAll(async () => {
  harness = await startHarness();
  const { endpoints } = harness.stack;
  dynamo = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: endpoints.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  store = new SubscribersStore(DynamoDBDocumentClient.from(dynamo), endpoints.tables.Subscribers as string);
  tokens = new SubscriberTokens((await readFile(join(harness.dataDir, 'token-secret'), 'utf8')).trim());
});

afterAll(async () => {
  dynamo?.destroy();
  await harness?.close();
});

describe('public sign-up and confirmation', () => {
  it('answers 202 with the same body for a new address, a pending one and an active one', async () => {
    await harness.api('/api/subscribers/already%40subs.test', { method: 'PUT', json: { tier: 'paid' } });
    const bodies = [];
    for (const email of [' New.Reader@Subs.TEST ', 'new.reader@subs.test', 'already@subs.test']) {
      const response = await signUp(email);
      expect(response.status).toBe(202);
      bodies.push(await response.json());
    }
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(await mailsTo('new.reader@subs.test')).toHaveLength(1);
    expect(await mailsTo('already@subs.test')).toHaveLength(0);
    expect(await store.get('already@subs.test')).toMatchObject({ tier: 'paid', status: 'active' });
    expect(await store.get('new.reader@subs.test')).toMatchObject({ tier: 'free', status: 'pending' });
  });

  it('rejects what is not an email address with 422 and stores nothing', async () => {
    for (const email of ['not-an-address', 'a@b', '', 42, `${'x'.repeat(65)}@subs.test`]) {
      const response = await signUp(email);
      expect(response.status).toBe(422);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    }
    const garbage = await harness.api('/api/subscribers', { method: 'POST', token: null, body: '{nope' });
    expect(garbage.status).toBe(400);
  });

  it('refuses forged, expired and wrong-purpose confirmation links without changing anything', async () => {
    const pending = await store.get('new.reader@subs.test');
    const id = pending?.subscriberId as string;
    const expired = tokens.confirmToken(id, new Date(Date.now() - 8 * 86_400_000));
    const forged = new SubscriberTokens('another-secret-of-at-least-thirty-two-chars').confirmToken(id, new Date());
    for (const [token, words] of [
      [expired, 'expired'],
      [forged, 'not valid'],
      [tokens.unsubscribeToken(id), 'not valid'],
      ['garbage', 'not valid'],
    ] as const) {
      const response = await fetch(
        `${harness.stack.apiUrl}/api/subscribers/confirm?token=${encodeURIComponent(token)}`,
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain(words);
    }
    expect((await store.get('new.reader@subs.test'))?.status).toBe('pending');
  });

  it('activates a free subscriber from the link in the confirmation mail', async () => {
    const [mail] = await mailsTo('new.reader@subs.test');
    const link = /http:\/\/[^\s"<>]+\/api\/subscribers\/confirm\?token=[^\s"<>]+/.exec(
      mail?.body.text ?? '',
    )?.[0] as string;
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Subscription confirmed');
    expect(await store.get('new.reader@subs.test')).toMatchObject({ status: 'active', tier: 'free' });
    expect((await fetch(link)).status).toBe(200);
  });
});

describe('one-click unsubscribe', () => {
  it('shows a form on GET without changing anything, and unsubscribes on POST', async () => {
    const subscriber = await store.get('new.reader@subs.test');
    const url = `${harness.stack.apiUrl}/api/unsubscribe?token=${tokens.unsubscribeToken(subscriber?.subscriberId as string)}`;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect((await store.get('new.reader@subs.test'))?.status).toBe('active');

    const wrongPurpose = `${harness.stack.apiUrl}/api/unsubscribe?token=${tokens.confirmToken(subscriber?.subscriberId as string, new Date())}`;
    expect((await fetch(wrongPurpose, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(400);
    expect((await store.get('new.reader@subs.test'))?.status).toBe('active');

    const response = await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(response.status).toBe(200);
    expect(await store.get('new.reader@subs.test')).toMatchObject({
      status: 'unsubscribed',
      statusReason: 'one-click',
    });
  });
});

describe('subscriber administration', () => {
  it('creates and updates subscribers directly, never returning a token', async () => {
    const created = await harness.api('/api/subscribers/Import.Me%40Subs.test', {
      method: 'PUT',
      json: { tier: 'paid', status: 'active' },
    });
    expect(created.status).toBe(200);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ email: 'import.me@subs.test', tier: 'paid', status: 'active', created: true });
    expect(JSON.stringify(body)).not.toMatch(/token=/);
    const downgraded = await harness.api('/api/subscribers/import.me%40subs.test', {
      method: 'PUT',
      json: { tier: 'free' },
    });
    expect(await downgraded.json()).toMatchObject({ tier: 'free', status: 'active', created: false });
    expect(
      (await harness.api('/api/subscribers/import.me%40subs.test', { method: 'PUT', json: { tier: 'gold' } })).status,
    ).toBe(422);
    expect((await harness.api('/api/subscribers/nobody', { method: 'PUT', json: {} })).status).toBe(422);
    expect((await harness.api('/api/subscribers/x%40subs.test', { method: 'PUT', token: null, json: {} })).status).toBe(
      401,
    );
  });

  it('gives a feed URL to paid active subscribers only', async () => {
    expect((await harness.api('/api/subscribers/import.me%40subs.test/feed-url')).status).toBe(409);
    expect((await harness.api('/api/subscribers/unknown%40subs.test/feed-url')).status).toBe(404);
    const paid = await harness.api('/api/subscribers/already%40subs.test/feed-url');
    expect(paid.status).toBe(200);
    expect(((await paid.json()) as { url: string }).url).toMatch(
      /\/feeds\/private\/f\.[0-9A-Z]{26}\.0\.[\w-]{43}\/rss\.xml$/,
    );
  });
});
