import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import { startHarness, type Harness } from './harness';

const SECRET = 'Vault-only finding: feeder KITE-3390 ran at 140 % of its rating for six hours.';

let harness: Harness;
let tokens: SubscriberTokens;

async function put(email: string, body: Record<string, unknown>): Promise<{ subscriberId: string }> {
  const response = await harness.api(`/api/subscribers/${encodeURIComponent(email)}`, { method: 'PUT', json: body });
  expect(response.status).toBe(200);
  return (await response.json()) as { subscriberId: string };
}

async function feedUrl(email: string): Promise<string> {
  const response = await harness.api(`/api/subscribers/${encodeURIComponent(email)}/feed-url`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { url: string }).url;
}

async function expectHidden(url: string): Promise<void> {
  const response = await fetch(url);
  expect(response.status).toBe(404);
  expect(await response.text()).toBe('');
}

beforeAll(async () => {
  harness = await startHarness();
  tokens = new SubscriberTokens((await readFile(join(harness.dataDir, 'token-secret'), 'utf8')).trim());
  await put('paid@feed.test', { tier: 'paid', status: 'active' });
  for (const [title, tier, body] of [
    ['Open tariffs for everyone', 'complimentary', 'Everyone may read this.'],
    ['Feeder loads at Kestrel', 'subscriber', `Public part one.\n\nPublic part two.\n\n<!-- paywall -->\n\n${SECRET}`],
  ] as const) {
    const response = await harness.api('/api/reports', {
      method: 'POST',
      json: { title, summary: `${title}, in short.`, body, tier, series: 'grid-watch' },
    });
    expect(response.status).toBe(201);
  }
  await harness.stack.drain();
});

afterAll(async () => {
  await harness?.close();
});

describe('private full-text feeds', () => {
  it('serve a paid subscriber the full text with their own URL, ETag and 304', async () => {
    const url = await feedUrl('paid@feed.test');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    expect(response.headers.get('last-modified')).toMatch(/GMT$/);
    const body = await response.text();
    expect(body).toContain('KITE-3390');
    expect(body).toContain(url);
    expect(body).not.toContain('dispatch-feed-token-');
    const etag = response.headers.get('etag') as string;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    for (const [file, type] of [
      ['atom.xml', 'application/atom+xml; charset=utf-8'],
      ['feed.json', 'application/feed+json; charset=utf-8'],
    ]) {
      const other = await fetch(url.replace(/rss\.xml$/, file as string));
      expect(other.status).toBe(200);
      expect(other.headers.get('content-type')).toBe(type);
      expect(await other.text()).toContain('KITE-3390');
    }
  });

  it('answers an empty 404 for free, unknown and forged tokens and unknown files', async () => {
    const free = await put('free@feed.test', { tier: 'free', status: 'active' });
    const base = `${harness.stack.apiUrl}/feeds/private`;
    await expectHidden(`${base}/${tokens.feedToken(free.subscriberId, 0)}/rss.xml`);
    await expectHidden(`${base}/${tokens.feedToken(ulid(), 0)}/rss.xml`);
    await expectHidden(`${base}/${new SubscriberTokens('x'.repeat(40)).feedToken(free.subscriberId, 0)}/rss.xml`);
    await expectHidden(`${base}/not-a-token/rss.xml`);
    const paid = await feedUrl('paid@feed.test');
    await expectHidden(paid.replace(/rss\.xml$/, 'secrets.txt'));
    await expectHidden(paid.replace('/f.', '/u.'));
  });

  it('stops serving a revoked URL and serves the one issued after', async () => {
    const old = await feedUrl('paid@feed.test');
    await put('paid@feed.test', { rotateFeedToken: true });
    await expectHidden(old);
    const fresh = await feedUrl('paid@feed.test');
    expect(fresh).not.toBe(old);
    expect((await fetch(fresh)).status).toBe(200);
  });

  it('never serves a URL issued before the reader unsubscribed, even once they are back', async () => {
    const { subscriberId } = await put('leaver@feed.test', { tier: 'paid', status: 'active' });
    const old = await feedUrl('leaver@feed.test');
    expect((await fetch(old)).status).toBe(200);
    const unsubscribe = await fetch(
      `${harness.stack.apiUrl}/api/unsubscribe?token=${tokens.unsubscribeToken(subscriberId)}`,
      { method: 'POST', body: 'List-Unsubscribe=One-Click' },
    );
    expect(unsubscribe.status).toBe(200);
    await put('leaver@feed.test', { status: 'active' });
    await expectHidden(old);
    const fresh = await feedUrl('leaver@feed.test');
    expect(fresh).not.toBe(old);
    expect((await fetch(fresh)).status).toBe(200);
  });

  it('stops serving a subscriber who is no longer paid and active', async () => {
    const url = await feedUrl('paid@feed.test');
    await put('paid@feed.test', { tier: 'free' });
    await expectHidden(url);
    await put('paid@feed.test', { tier: 'paid', status: 'unsubscribed' });
    await expectHidden(url);
  });
});
