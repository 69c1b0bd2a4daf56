import { describe, expect, it } from 'vitest';
import { ApiClient, type FetchFn } from '../../local/cli/api-client';
import { ApiError, NetworkError } from '../../local/cli/errors';
import { recordingServers, validationFailed } from '../fixtures/recording-server';

const serve = recordingServers();

const receipt = { id: '01JD8Z', slug: 'kestrel', url: 'https://reports.example.org/reports/kestrel/', revision: 1 };

describe('ApiClient', () => {
  it('creates a report with JSON, a Bearer token and the Idempotency-Key header', async () => {
    const api = await serve(() => ({ status: 201, body: receipt }));
    const client = new ApiClient(api.url, 'tok-123', fetch);
    await expect(client.createReport({ title: 'T' }, 'submit-abc')).resolves.toEqual({
      ...receipt,
      warnings: [],
      pausedEditions: [],
    });
    const [request] = api.seen;
    expect(request).toMatchObject({ method: 'POST', url: '/api/reports' });
    expect(request?.headers.authorization).toBe('Bearer tok-123');
    expect(request?.headers['idempotency-key']).toBe('submit-abc');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ title: 'T' });
  });

  it('finds a report by slug with ?slug=, and answers undefined when none has it', async () => {
    const head = { id: '01JD8Z', slug: 'grid-note', revision: 2, state: 'live' };
    const found = await serve(() => ({ status: 200, body: { items: [head], nextCursor: null } }));
    await expect(new ApiClient(found.url, 't', fetch).findReportBySlug('grid-note')).resolves.toEqual(head);
    expect(found.seen[0]).toMatchObject({ method: 'GET', url: '/api/reports?slug=grid-note' });
    const none = await serve(() => ({ status: 200, body: { items: [], nextCursor: null } }));
    await expect(new ApiClient(none.url, 't', fetch).findReportBySlug('grid-note')).resolves.toBeUndefined();
  });

  it('sends no Authorization header without a token', async () => {
    const api = await serve(() => ({ status: 200, body: { items: [] } }));
    await new ApiClient(api.url, undefined, fetch).listReports({});
    expect(api.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('corrects a report with PUT and If-Match carrying the revision being corrected', async () => {
    const api = await serve(() => ({ status: 200, body: { ...receipt, revision: 4 } }));
    const result = await new ApiClient(api.url, 't', fetch).updateReport('01JD8Z', 3, { title: 'T' }, 'k');
    expect(result.revision).toBe(4);
    expect(api.seen[0]).toMatchObject({ method: 'PUT', url: '/api/reports/01JD8Z' });
    expect(api.seen[0]?.headers['if-match']).toBe('"3"');
  });

  it('pages reports with cursor and limit query parameters', async () => {
    const api = await serve(() => ({ status: 200, body: { reports: [{ id: 'a', slug: 'a' }], nextCursor: 'c2' } }));
    const page = await new ApiClient(api.url, 't', fetch).listReports({ limit: 5, cursor: 'c1' });
    expect(api.seen[0]?.url).toBe('/api/reports?limit=5&cursor=c1');
    expect(page).toEqual({ items: [{ id: 'a', slug: 'a' }], nextCursor: 'c2' });
  });

  it('encodes an email address as one path segment', async () => {
    const api = await serve(() => ({ status: 200, body: {} }));
    await new ApiClient(api.url, 't', fetch).putSubscriber('a+b/c@example.org', { tier: 'paid', status: 'active' });
    expect(api.seen[0]).toMatchObject({ method: 'PUT', url: '/api/subscribers/a%2Bb%2Fc%40example.org' });
    expect(JSON.parse(api.seen[0]?.body ?? '')).toEqual({ tier: 'paid', status: 'active' });
  });

  it('turns a 422 with field errors into one line listing each field', async () => {
    const api = await serve(() =>
      validationFailed({ title: 'must not be blank', tier: ['must be one of: complimentary, subscriber'] }),
    );
    const error = await new ApiClient(api.url, 't', fetch).createReport({}, 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).toLine()).toBe(
      '422 validation_failed: title: must not be blank; tier: must be one of: complimentary, subscriber',
    );
  });

  it('reads field errors given as a list of {path, message}', async () => {
    const api = await serve(() =>
      validationFailed([{ path: ['leadImage', 'alt'], message: 'must not be blank' }], 'x'),
    );
    const error = (await new ApiClient(api.url, 't', fetch).createReport({}, 'k').catch((e: unknown) => e)) as ApiError;
    expect(error.toLine()).toBe('422 validation_failed: leadImage.alt: must not be blank');
  });

  it('uses the message when there are no field errors', async () => {
    const api = await serve(() => ({
      status: 403,
      body: { error: { code: 'forbidden', message: 'admin role required' } },
    }));
    const error = (await new ApiClient(api.url, 't', fetch).revokeEditor('e1').catch((e: unknown) => e)) as ApiError;
    expect(error.toLine()).toBe('403 forbidden: admin role required');
  });

  it('says how to get a token when a 401 follows a request without one', async () => {
    const api = await serve(() => ({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'missing token' } },
    }));
    const error = (await new ApiClient(api.url, undefined, fetch).sendDigest().catch((e: unknown) => e)) as ApiError;
    expect(error.toLine()).toMatch(/^401 unauthorized: missing token \(no token: set DISPATCH_TOKEN/);
  });

  it('reports a non-JSON error page by status and a short snippet', async () => {
    const api = await serve(() => ({
      status: 502,
      raw: '<html><body><h1>upstream down</h1></body></html>',
      contentType: 'text/html',
    }));
    const error = (await new ApiClient(api.url, 't', fetch)
      .feedUrl('a@example.org')
      .catch((e: unknown) => e)) as ApiError;
    expect(error.toLine()).toBe('502: Bad Gateway - upstream down');
  });

  it('rejects a success response of the wrong shape instead of printing undefined', async () => {
    const api = await serve(() => ({ status: 201, body: { id: 'x' } }));
    const error = (await new ApiClient(api.url, 't', fetch)
      .createEditor({ name: 'N', role: 'editor' })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('unexpected_response');
    expect(error.toLine()).toMatch(/^201 unexpected_response: POST \/api\/editors answered in a shape .* at token/);
  });

  it('names the URL and suggests npm start when nothing listens', async () => {
    const api = await serve(() => ({ status: 200 }));
    await api.close();
    const error = await new ApiClient(api.url, 't', fetch).listReports({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).toLine()).toBe(
      `cannot reach the Dispatch API at ${api.url} (ECONNREFUSED): is the local stack running? Start it with \`npm start\`, or set DISPATCH_API_URL`,
    );
  });

  it('gives up on a server that does not answer in time', async () => {
    const silent: FetchFn = (_input, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const error = (await new ApiClient('http://127.0.0.1:9', 't', silent, 20)
      .listReports({})
      .catch((e: unknown) => e)) as NetworkError;
    expect(error.toLine()).toMatch(
      /^cannot reach the Dispatch API at http:\/\/127\.0\.0\.1:9 \(no answer within 0\.02s\)/,
    );
  });
});
