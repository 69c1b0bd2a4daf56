import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROUTES, type RouteDefinition } from '../../lambdas/routes';
import { startHarness, type Harness } from './harness';

/**
 * Every route, 600 generated requests: odd and oversized path parameters, query strings, bodies and tokens.
 * Whatever comes in, the answer is a 2xx, 3xx or 4xx; a 5xx means input reached somewhere that could not take it
 * (a DynamoDB key past its size limit was the finding that started this).
 */
let harness: Harness;
let reportId: string;

beforeAll(async () => {
  harness = await startHarness();
  const created = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title: 'Fuzz target',
      summary: 'A report for the fuzzer to poke at.',
      body: 'Public one.\n\nPublic two.\n\n<!-- paywall -->\n\nPaid part.',
      tier: 'subscriber',
      series: 'grid-watch',
    },
  });
  expect(created.status).toBe(201);
  reportId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await harness?.close();
});

const parameterValue = fc.oneof(
  fc.constant('__report__'),
  fc.constant('01JZZZZZZZZZZZZZZZZZZZZZZZ'),
  fc.constant('reader@example.org'),
  fc.constant('rss.xml'),
  fc.constant('A'.repeat(2_100)),
  fc.constant('x'.repeat(1_025) + '@example.org'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', minLength: 1_000, maxLength: 3_000 }),
  fc.constantFrom('..', '.', '%', '%00', '\u0000', '\u200B', ' ', 'f.01JZZZZZZZZZZZZZZZZZZZZZZZ.0.x'),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.constant('{nope'),
  fc.constant('[]'),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc
    .record(
      {
        title: fc.string({ maxLength: 400 }),
        summary: fc.string(),
        body: fc.string(),
        tier: fc.constantFrom('subscriber', 'complimentary', 'gold'),
        series: fc.constantFrom('grid-watch', 'nope'),
        tags: fc.array(fc.string()),
        email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 3_000 })),
        name: fc.string(),
        role: fc.constantFrom('admin', 'editor', 'root'),
        status: fc.constantFrom('active', 'pending', 'gone'),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  values: fc.array(parameterValue, { minLength: 2, maxLength: 2 }),
  encode: fc.boolean(),
  query: fc.dictionary(
    fc.constantFrom('token', 'limit', 'cursor', 'tier', 'outcome', 'q', 'x'),
    fc.oneof(fc.string({ maxLength: 20 }), fc.constant('A'.repeat(2_100))),
    { maxKeys: 3 },
  ),
  body,
  auth: fc.constantFrom('admin', 'none', 'garbage'),
  headers: fc.dictionary(
    fc.constantFrom('if-match', 'idempotency-key', 'if-none-match'),
    fc.string({ maxLength: 300 }),
    {
      maxKeys: 2,
    },
  ),
});

function pathFor(route: RouteDefinition, values: string[], encode: boolean): string {
  let index = 0;
  return route.path.replace(/\{\w+\}/g, () => {
    const raw = values[index++] ?? '';
    const value = raw === '__report__' ? reportId : raw;
    // Unencoded values may not even be a valid request target; encodeURI keeps them sendable but unusual.
    return encode ? encodeURIComponent(value) : encodeURI(value).replaceAll('/', '%2F').replaceAll('?', '%3F');
  });
}

it('answers 600 generated requests across every route without a single 5xx', async () => {
  const failures: string[] = [];
  await fc.assert(
    fc.asyncProperty(request, async ({ route, values, encode, query, body: text, auth, headers }) => {
      const search = new URLSearchParams(query).toString();
      const path = `${pathFor(route, values, encode)}${search ? `?${search}` : ''}`;
      const response = await harness.api(path, {
        method: route.method,
        token: auth === 'admin' ? undefined : auth === 'none' ? null : 'dsp_ed_garbage',
        headers: { ...headers, ...(text !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(text !== undefined && route.method !== 'GET' ? { body: text } : {}),
      });
      await response.arrayBuffer();
      if (response.status >= 500) {
        failures.push(`${route.method} ${route.path} → ${response.status} (a ${path.length}-character path)`);
      }
    }),
    // Every run counts (no shrinking): the point is a clean sweep, and the list below names each failure briefly.
    { numRuns: 600 },
  );
  expect(failures.slice(0, 20)).toEqual([]);
}, 60_000);

it.each([
  ['GET', '/api/reports/'],
  ['PUT', '/api/reports/'],
  ['DELETE', '/api/reports/'],
  ['GET', '/api/digests/'],
  ['DELETE', '/api/editors/'],
])('%s %s{id} with a 2,100-character id is a 400 naming id', async (method, prefix) => {
  const response = await harness.api(`${prefix}${'A'.repeat(2_100)}`, {
    method,
    ...(method === 'GET' ? {} : { json: {} }),
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({
    error: { code: 'invalid_path_parameter', fields: [{ field: 'id' }] },
  });
});

it('checks an email path parameter before the subscriber service sees it', async () => {
  const response = await harness.api(`/api/subscribers/${'x'.repeat(1_100)}%40example.org`, {
    method: 'PUT',
    json: { tier: 'paid' },
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: { fields: [{ field: 'email' }] } });
});
