import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscribersStore } from '../../lambdas/adapters/subscribers-store';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import { RATE_LIMITED_BODY } from '../../lambdas/routes';
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
    // The answer comes before the mail: sign-ups are queued for the sign-up worker.
    await harness.stack.drain();
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
    const expired = tokens.confirmToken(id, 0, new Date(Date.now() - 8 * 86_400_000));
    const forged = new SubscriberTokens('another-secret-of-at-least-thirty-two-chars').confirmToken(id, 0, new Date());
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

    const wrongPurpose = `${harness.stack.apiUrl}/api/unsubscribe?token=${tokens.confirmToken(subscriber?.subscriberId as string, 0, new Date())}`;
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

describe('links minted before a later status change', () => {
  it('a confirmation link opened again after a one-click unsubscribe resubscribes nobody', async () => {
    // new.reader@subs.test confirmed with this link, then unsubscribed (the tests above).
    const [mail] = await mailsTo('new.reader@subs.test');
    const link = /http:\/\/[^\s"<>]+\/api\/subscribers\/confirm\?token=[^\s"<>]+/.exec(mail?.body.text ?? '')?.[0];
    expect(link).toBeDefined();
    expect((await store.get('new.reader@subs.test'))?.status).toBe('unsubscribed');
    // A mail scanner re-opening the old link, twice.
    for (let visit = 0; visit < 2; visit += 1) {
      const response = await fetch(link as string);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('no longer valid');
    }
    expect((await store.get('new.reader@subs.test'))?.status).toBe('unsubscribed');
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
    expect((await harness.api('/api/subscribers/nobody', { method: 'PUT', json: {} })).status).toBe(400);
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

describe('series preferences: the manage page and the admin API', () => {
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const manageUrl = (token: string) => `${harness.stack.apiUrl}/api/subscribers/manage?token=${token}`;
  const post = (token: string, body: string) => fetch(manageUrl(token), { method: 'POST', headers: FORM, body });
  let token: string;

  beforeAll(async () => {
    await harness.api('/api/subscribers/chooser%40subs.test', { method: 'PUT', json: { tier: 'paid' } });
    token = tokens.manageToken((await store.get('chooser@subs.test'))?.subscriberId as string);
  });

  it('shows every configured series, ticked, and changes nothing on GET', async () => {
    const before = await store.get('chooser@subs.test');
    const page = await fetch(manageUrl(token));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.headers.get('x-robots-tag')).toBe('noindex');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await page.text();
    for (const id of ['grid-watch', 'harbour-ledger']) {
      expect(html).toContain(`<input type="checkbox" name="series" value="${id}" checked>`);
    }
    expect(html).toContain(`action="/api/subscribers/manage?token=${token}"`);
    expect(html).not.toMatch(/<script|chooser@subs\.test/);
    expect(await store.get('chooser@subs.test')).toEqual(before);
  });

  it('stores the series the form posts, and lists them on the confirmation page', async () => {
    const saved = await post(token, 'series=harbour-ledger&action=save');
    expect(saved.status).toBe(200);
    expect(saved.headers.get('cache-control')).toBe('private, no-store');
    const html = await saved.text();
    expect(html).toContain('<li>Harbour Ledger</li>');
    expect(html).not.toContain('<li>Grid Watch</li>');
    expect((await store.get('chooser@subs.test'))?.series).toEqual(['harbour-ledger']);
    const page = await (await fetch(manageUrl(token))).text();
    expect(page).toContain('value="harbour-ledger" checked>');
    expect(page).toContain('value="grid-watch">');
  });

  it('stores an empty choice as no series, and says no digest will come', async () => {
    const saved = await post(token, '');
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain('you will get no digest');
    expect(await store.get('chooser@subs.test')).toMatchObject({ status: 'active', series: [] });
    const view = await harness.api('/api/subscribers/chooser%40subs.test', { method: 'PUT', json: {} });
    expect(await view.json()).toMatchObject({ series: [] });
  });

  it('stores every series ticked as no list, so later series are included', async () => {
    expect((await post(token, 'series=grid-watch&series=harbour-ledger')).status).toBe(200);
    expect(await store.get('chooser@subs.test')).not.toHaveProperty('series');
  });

  it('refuses an unknown series with a page naming the field, and changes nothing', async () => {
    const before = await store.get('chooser@subs.test');
    const refused = await post(token, 'series=grid-watch&series=reef-watch');
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('text/html');
    expect(await refused.text()).toContain('series: unknown series &quot;reef-watch&quot;');
    expect(await store.get('chooser@subs.test')).toEqual(before);
  });

  it('refuses a body that is not the form with a private page, as every refusal of this URL', async () => {
    const before = await store.get('chooser@subs.test');
    for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }]) {
      const refused = await fetch(manageUrl(token), { method: 'POST', headers, body: '{"series":["grid-watch"]}' });
      expect(refused.status).toBe(415);
      expect(refused.headers.get('content-type')).toContain('text/html');
      expect(refused.headers.get('cache-control')).toBe('private, no-store');
      expect(refused.headers.get('x-robots-tag')).toBe('noindex');
      expect(await refused.text()).toContain('application/x-www-form-urlencoded');
    }
    expect(await store.get('chooser@subs.test')).toEqual(before);
  });

  it('changes nothing for a forged or foreign token, answering a 4xx page', async () => {
    const id = (await store.get('chooser@subs.test'))?.subscriberId as string;
    const before = await store.get('chooser@subs.test');
    const forged = new SubscriberTokens('another-secret-of-at-least-thirty-two-chars').manageToken(id);
    for (const bad of [forged, tokens.unsubscribeToken(id), 'garbage']) {
      const page = await fetch(manageUrl(bad));
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('This link is not valid');
      for (const body of ['series=grid-watch', 'action=unsubscribe']) {
        const refused = await post(bad, body);
        expect(refused.status).toBe(400);
        expect(refused.headers.get('content-type')).toContain('text/html');
      }
    }
    expect(await store.get('chooser@subs.test')).toEqual(before);
  });

  it('unsubscribes from the page as one-click does: older private feed URLs die', async () => {
    const before = await store.get('chooser@subs.test');
    const feed = `${harness.stack.apiUrl}/feeds/private/${tokens.feedToken(before?.subscriberId as string, before?.feedTokenVersion as number)}/rss.xml`;
    expect((await fetch(feed)).status).not.toBe(404);
    const page = await post(token, 'action=unsubscribe');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('You are unsubscribed');
    expect(await store.get('chooser@subs.test')).toMatchObject({
      status: 'unsubscribed',
      statusReason: 'manage-page',
      statusVersion: (before?.statusVersion ?? 0) + 1,
      feedTokenVersion: (before?.feedTokenVersion ?? 0) + 1,
    });
    expect((await fetch(feed)).status).toBe(404);
    // Nothing left to choose: the page says so, and a save changes nothing.
    expect(await (await fetch(manageUrl(token))).text()).toContain('This address gets no digest');
    expect((await post(token, 'series=grid-watch')).status).toBe(409);
    expect(await store.get('chooser@subs.test')).not.toHaveProperty('series');
  });

  it('lets an admin set series or every series, refuses an unknown one naming series, and lists them', async () => {
    const put = (json: unknown) => harness.api('/api/subscribers/admin.set%40subs.test', { method: 'PUT', json });
    expect(await (await put({ tier: 'free', series: ['grid-watch'] })).json()).toMatchObject({
      series: ['grid-watch'],
      created: true,
    });
    const unknown = await put({ series: ['grid-watch', 'reef-watch'] });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { fields: { field: string }[] } }).error.fields).toEqual([
      { field: 'series', message: expect.stringContaining('"reef-watch"') },
    ]);
    expect((await put({ series: 'grid-watch' })).status).toBe(422);
    expect((await store.get('admin.set@subs.test'))?.series).toEqual(['grid-watch']);
    const listed = await harness.api('/api/subscribers?q=admin.set');
    expect(((await listed.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ email: 'admin.set@subs.test', series: ['grid-watch'] }),
    ]);
    expect(await (await put({ series: null })).json()).toMatchObject({ series: null });
    expect(await store.get('admin.set@subs.test')).not.toHaveProperty('series');
  });
});

/** Waits out the current fixed window when it has less than `margin` seconds left, so a burst lands in one. */
async function freshWindow(marginSeconds: number): Promise<void> {
  const left = 60 - ((Date.now() / 1000) % 60);
  if (left < marginSeconds) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 50));
}

describe('rate limits (last: they use up the allowance of this client)', () => {
  it('answers the sixth sign-up for one address within a minute with 429 and Retry-After', async () => {
    await freshWindow(3);
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt += 1) statuses.push((await signUp('limited@subs.test')).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
    const refused = await signUp('LIMITED@subs.test');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    await harness.stack.drain();
    expect(await mailsTo('limited@subs.test')).toHaveLength(1); // the cooldown still sends one mail, not five
  });

  it('answers a client past 30 sign-ups a minute with 429 and Retry-After, whatever the addresses', async () => {
    await freshWindow(5);
    const responses = await Promise.all(Array.from({ length: 31 }, (_, index) => signUp(`burst${index}@subs.test`)));
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(responses.filter((response) => response.status === 202).length).toBeLessThanOrEqual(30);
    const [first] = refused;
    expect(Number(first?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(first?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await first?.json()).toEqual(RATE_LIMITED_BODY);
    await Promise.all(responses.map((response) => response.bodyUsed || response.arrayBuffer()));
  });
});

describe('subscriber pages', () => {
  it('pages the active subscribers one by one with cursors, and refuses a cursor of another status', async () => {
    const all = await store.pageByStatus('active', 1000);
    expect(all.items.length).toBeGreaterThan(0);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.pageByStatus('active', 1, cursor);
      paged.push(...page.items.map((subscriber) => subscriber.email));
      cursor = page.next;
    } while (cursor);
    expect(paged).toEqual(all.items.map((subscriber) => subscriber.email));
    const first = await store.pageByStatus('active', 1);
    await expect(store.pageByStatus('pending', 1, first.next)).rejects.toThrow('The cursor is not one this API issued');
  });
});
