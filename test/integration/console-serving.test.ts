import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleContentSecurityPolicy, CONTENT_SECURITY_POLICY } from '../../lambdas/http/security-headers';
import { startTempStack, type TempStack } from './harness';

/**
 * The editor console through the local gateway, as CloudFront serves it (test/infra/console.test.ts): the shell
 * at `/console/`, content-hashed assets, and the console's own headers on every `/console/*` answer.
 */
let temp: TempStack;
let base: string;

const get = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${base}${path}`, { redirect: 'manual', ...init });

beforeAll(async () => {
  temp = await startTempStack({ console: true });
  base = temp.stack.apiUrl;
}, 120_000);

afterAll(async () => {
  await temp?.close();
});

function expectConsoleHeaders(response: Response): void {
  // The one other origin it may connect to: s3rver, where image uploads PUT (S3 on AWS).
  expect(response.headers.get('content-security-policy')).toBe(
    consoleContentSecurityPolicy(new URL(temp.stack.endpoints.s3).origin),
  );
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
}

async function shellAssets(): Promise<{ script: string; stylesheet: string }> {
  const shell = await (await get('/console/')).text();
  const script = /<script type="module" src="(\/console\/assets\/app-[A-Z0-9]+\.js)"><\/script>/.exec(shell)?.[1];
  const stylesheet = /<link rel="stylesheet" href="(\/console\/assets\/console-[A-Z0-9]+\.css)"/.exec(shell)?.[1];
  if (script === undefined || stylesheet === undefined) throw new Error('The shell names no hashed assets');
  return { script, stylesheet };
}

describe('the console through the local gateway', () => {
  it.each(['/console/', '/console/index.html'])(
    'serves the shell at %s, never cached, with the console CSP',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expectConsoleHeaders(response);
      const shell = await response.text();
      expect(shell).toContain('<div id="console"></div>');
      // The CSP allows no inline script: the shell's only script is a same-origin file.
      const scripts = shell.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts).toHaveLength(1);
      expect(scripts[0]).toMatch(/ src="\/console\/assets\//);
      expect(shell).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    },
  );

  it('redirects /console to /console/ as the CloudFront function does', async () => {
    const response = await get('/console');
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('serves the content-hashed script and stylesheet, cached for a year, with the console CSP', async () => {
    const { script, stylesheet } = await shellAssets();
    for (const [path, type] of [
      [script, 'text/javascript; charset=utf-8'],
      [stylesheet, 'text/css; charset=utf-8'],
    ] as const) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expectConsoleHeaders(response);
      expect((await response.text()).length).toBeGreaterThan(1000);
    }
  });

  it('answers a missing console file 404 with the console headers', async () => {
    const response = await get('/console/assets/app-MISSING.js');
    expect(response.status).toBe(404);
    expectConsoleHeaders(response);
  });

  it('keeps the site policy everywhere else', async () => {
    for (const path of ['/', '/feeds/rss.xml', '/consoles/']) {
      const response = await get(path);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('lets a browser PUT into the site bucket (CORS preflight), not into the vault', async () => {
    const preflight = (bucket: string) =>
      fetch(`${temp.stack.endpoints.s3}/${bucket}/media/x.png`, {
        method: 'OPTIONS',
        headers: {
          origin: base,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type,x-amz-checksum-sha256',
        },
      });
    const site = await preflight(temp.stack.endpoints.buckets.Site ?? '');
    expect(site.status).toBe(200);
    expect(site.headers.get('access-control-allow-methods')).toContain('PUT');
    const vault = await preflight(temp.stack.endpoints.buckets.Vault ?? '');
    expect(vault.status).toBe(403);
    expect(vault.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('leaves the editor routes behind their auth: the console is only a client of the API', async () => {
    expect((await get('/api/reports')).status).toBe(401);
    expect((await get('/api/reports', { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    const editor = await fetch(`${base}/api/reports?limit=1`, {
      headers: { authorization: `Bearer ${temp.stack.adminToken}` },
    });
    expect(editor.status).toBe(200);
  });
});
