import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  PRIVATE_FEED_HEADERS,
  securityHeaderValues,
} from '../../lambdas/http/security-headers';
import { startHarness, type Harness } from './harness';

let harness: Harness;
let slug: string;

beforeAll(async () => {
  harness = await startHarness();
  const response = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title: 'Headers on every file',
      summary: 'A report so that pages and feeds exist.',
      body: 'Public one, with an image. ![A substation](https://example.org/s.jpg "Caption")\n\nPublic two.\n\n<!-- paywall -->\n\nPaid.',
      tier: 'subscriber',
      series: 'grid-watch',
      tags: ['grid'],
      leadImage: { url: 'https://example.org/lead.jpg', alt: 'Lead' },
    },
  });
  expect(response.status).toBe(201);
  slug = ((await response.json()) as { slug: string }).slug;
  await harness.stack.drain();
});

afterAll(async () => {
  await harness?.close();
});

const expected = securityHeaderValues();

function expectSecurityHeaders(response: Response): void {
  for (const [name, value] of Object.entries(expected)) expect(response.headers.get(name), name).toBe(value);
}

describe('security headers', () => {
  it('match the shared definition', () => {
    expect(expected).toEqual({
      'content-security-policy':
        "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    });
  });

  it.each([
    '/',
    '/index.html',
    () => `/reports/${slug}/`,
    '/feeds/rss.xml',
    '/feeds/atom.xml',
    '/feeds/feed.json',
    '/feeds/tags/grid/rss.xml',
    '/no-such-page/',
    '/api/health',
    '/api/subscribers/confirm?token=nope',
    '/api/subscribers/manage?token=nope',
    '/api/nothing',
  ])('are on %s', async (path) => {
    const response = await fetch(`${harness.stack.apiUrl}${typeof path === 'function' ? path() : path}`);
    await response.arrayBuffer();
    expectSecurityHeaders(response);
  });

  it('are on the editor API and on a 304', async () => {
    const list = await harness.api('/api/reports');
    await list.arrayBuffer();
    expectSecurityHeaders(list);
    const first = await fetch(`${harness.stack.apiUrl}/feeds/rss.xml`);
    await first.arrayBuffer();
    const again = await fetch(`${harness.stack.apiUrl}/feeds/rss.xml`, {
      headers: { 'if-none-match': first.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    expectSecurityHeaders(again);
  });

  it('allow everything the pages use: no script, no outside stylesheet, images over https only', async () => {
    for (const path of ['/', `/reports/${slug}/`]) {
      const html = await (await fetch(`${harness.stack.apiUrl}${path}`)).text();
      // The one script element a page may carry is a JSON-LD data block, which no browser executes.
      const executable = html.replace(/<script type="application\/ld\+json">[^<]*<\/script>/g, '');
      expect(executable).not.toMatch(/<script|<iframe|<object|<embed|rel="stylesheet"/i);
      for (const [, src] of html.matchAll(/<img[^>]+src="([^"]+)"/g)) expect(src).toMatch(/^(https:|data:)/);
    }
    const page = await (await fetch(`${harness.stack.apiUrl}/reports/${slug}/`)).text();
    expect(page).toMatch(/<img[^>]+src="https:\/\/example\.org\/lead\.jpg"/);
    const unsubscribe = await fetch(`${harness.stack.apiUrl}/api/unsubscribe?token=nope`);
    expect(await unsubscribe.text()).not.toMatch(/<script/i);
    const manage = await fetch(`${harness.stack.apiUrl}/api/subscribers/manage?token=nope`);
    expect(await manage.text()).not.toMatch(/<script/i);
    expect(manage.headers.get('cache-control')).toBe('private, no-store');
    expect(manage.headers.get('x-robots-tag')).toBe('noindex');
    expect(CONTENT_SECURITY_POLICY).toContain("form-action 'self'");
  });

  it('private feeds are never cached by others nor indexed, and carry the security headers', async () => {
    const put = await harness.api('/api/subscribers/paid%40headers.test', {
      method: 'PUT',
      json: { tier: 'paid', status: 'active' },
    });
    expect(put.status).toBe(200);
    const { url } = (await (await harness.api('/api/subscribers/paid%40headers.test/feed-url')).json()) as {
      url: string;
    };
    for (const target of [url, url.replace(/\/f\.[^/]+\//, '/f.unknown/')]) {
      const response = await fetch(target);
      await response.arrayBuffer();
      expectSecurityHeaders(response);
      expect(response.headers.get('x-robots-tag')).toBe(PRIVATE_FEED_HEADERS['x-robots-tag']);
      expect(response.headers.get('cache-control')).toMatch(/no-store/);
    }
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toBe('private, no-store');
  });
});
