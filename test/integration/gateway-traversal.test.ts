import { request } from 'node:http';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

/**
 * Issue 9, finding 6: the local gateway plays CloudFront in front of the site bucket, and a path such as
 * `/..%2Fdispatch-vault%2Fprivate-feeds%2Frss.xml` must never reach the vault bucket through it.
 */
const PRIVATE_FEED_SECRET = 'VAULT-ONLY private feed: Kestrel feeder ran at 140 % of rating';
const PAID_PART_SECRET = 'VAULT-ONLY paid part: the Halvard penalty clauses were renegotiated';
const SITE_PAGE = '<!doctype html><title>Probe</title><p>Public probe page</p>';

let harness: Harness;
let s3: S3Client;
let vault: string;

interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * `fetch` (WHATWG URL) would resolve `..`, `%2e%2e` and backslashes before sending, so the attack paths never
 * reach the gateway as written. node:http sends the request target byte for byte.
 */
function rawRequest(path: string, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(harness.stack.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every way of spelling "go up one level into the vault bucket" the gateway must refuse. */
function vectors(bucket: string): string[] {
  const feed = 'private-feeds/rss.xml';
  const paid = 'paid/x.json';
  const enc = (text: string, slash: string) => text.replaceAll('/', slash);
  return [
    `/..%2F${bucket}%2F${enc(feed, '%2F')}`, // the reported one
    `/..%2f${bucket}%2f${enc(paid, '%2f')}`,
    `/%2e%2e%2F${bucket}%2F${enc(feed, '%2F')}`,
    `/%2E%2E/${bucket}/${feed}`,
    `/%2E./${bucket}/${paid}`,
    `/.%2e/${bucket}/${paid}`,
    `/../${bucket}/${feed}`,
    `/feeds/../../${bucket}/${paid}`,
    `/..%5C${bucket}%5C${enc(feed, '%5C')}`,
    `/..\\${bucket}\\${enc(paid, '\\')}`,
    `/.%2E%2F${bucket}%2F${enc(paid, '%2F')}`,
    `/%2E.%2F${bucket}%2F${enc(paid, '%2F')}`,
    `/..%252F${bucket}%252F${enc(feed, '%252F')}`,
    `/..%2F${bucket}%2F${enc(feed, '%2F')}%00.html`,
    `/.%2F..%2F${bucket}%2F${enc(paid, '%2F')}`,
    `//${bucket}/${feed}`,
    `/%2F..%2F${bucket}%2F${enc(paid, '%2F')}`,
    `/%2e%2e%2f%2e%2e%2f${bucket}%2f${enc(paid, '%2f')}`,
    `/%EF%BC%8E%EF%BC%8E%EF%BC%8F${bucket}%EF%BC%8F${enc(feed, '%EF%BC%8F')}`,
    `/reports/..%2F..%2F${bucket}%2F${enc(paid, '%2F')}/`,
    `/feeds/..%2F..%2F${bucket}%2F${enc(feed, '%2F')}`,
    `/..%2F${bucket}%2F${enc(paid, '%2F')}?download=1`,
    `/..%2F${bucket}%2Fprivate-feeds%2F`,
    `/./..%2F${bucket}%2F${enc(feed, '%2F')}`,
    `/feeds/rss.xml/..%2F..%2F..%2F${bucket}%2F${enc(feed, '%2F')}`,
    `/%c0%ae%c0%ae%2F${bucket}%2F${enc(feed, '%2F')}`, // overlong UTF-8 dots: invalid encoding
  ];
}

beforeAll(async () => {
  harness = await startHarness();
  const { endpoints } = harness.stack;
  vault = endpoints.buckets.Vault as string;
  s3 = new S3Client({
    endpoint: endpoints.s3,
    region: endpoints.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const put = (bucket: string, key: string, body: string, contentType: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  await put(vault, 'private-feeds/rss.xml', `<rss><item>${PRIVATE_FEED_SECRET}</item></rss>`, 'application/rss+xml');
  await put(vault, 'paid/x.json', JSON.stringify({ paid: PAID_PART_SECRET }), 'application/json');
  await put(endpoints.buckets.Site as string, 'traversal-probe/index.html', SITE_PAGE, 'text/html; charset=utf-8');
});

afterAll(async () => {
  s3?.destroy();
  await harness?.close();
});

describe('local gateway: the site behaviour serves the site bucket and nothing else', () => {
  it('still serves a normal site file and maps its directory to index.html', async () => {
    for (const path of ['/traversal-probe/', '/traversal-probe', '/traversal-probe/index.html']) {
      const response = await rawRequest(path);
      expect(response.status, path).toBe(200);
      expect(response.body).toBe(SITE_PAGE);
    }
  });

  it('has the secrets in the vault (so a miss below is the gateway refusing, not an empty bucket)', async () => {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: vault, Key: 'private-feeds/rss.xml' }));
    expect(await Body?.transformToString()).toContain(PRIVATE_FEED_SECRET);
  });

  it.each([['GET'], ['HEAD']])('refuses every traversal vector on %s', async (method) => {
    const answers = [];
    for (const path of vectors(vault)) answers.push({ path, ...(await rawRequest(path, method)) });
    // First the leak itself, listing every vector that got through, then the exact refusal.
    const leaks = answers.filter(
      ({ status, body }) => status === 200 || body.includes(PRIVATE_FEED_SECRET) || body.includes(PAID_PART_SECRET),
    );
    expect(leaks.map(({ status, path }) => `${status} ${path}`)).toEqual([]);
    for (const { path, status, contentType, body } of answers) {
      expect(status, `${method} ${path}`).toBe(400);
      expect(contentType, path).toBe('application/json; charset=utf-8');
      if (method === 'GET') expect(JSON.parse(body), path).toMatchObject({ error: { code: 'bad_request' } });
    }
  });
});
