import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIM = 'local/cli/dispatch.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real executable, as `npx dispatch` does: tsx registration, argv, exit code and all. */
function dispatch(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SHIM, ...args],
      { cwd: ROOT, env: { ...process.env, DISPATCH_TOKEN: 'tok', DISPATCH_DEBUG: '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// Concurrent: each child pays tsx's start-up cost, and they share nothing.
describe.concurrent('the dispatch executable', { timeout: 30_000 }, () => {
  it('is executable', () => {
    expect(statSync(new URL(`../../${SHIM}`, import.meta.url)).mode & 0o111).not.toBe(0);
  });

  it('prints help, including where the token comes from, and exits 0', async () => {
    const result = await dispatch(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: dispatch');
    expect(result.stdout).toContain('subscribers import FILE.csv');
    expect(result.stdout).toMatch(/DISPATCH_TOKEN[\s\S]*admin-token/);
  });

  it('exits non-zero with one line, and no stack, for a file that does not exist', async () => {
    const result = await dispatch(['submit', 'test/fixtures/no-such-report.md']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('dispatch: cannot read test/fixtures/no-such-report.md: no such file\n');
    expect(result.stdout).toBe('');
  });

  it('names the URL and suggests npm start when the API is down', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await dispatch(['reports', 'list'], { DISPATCH_API_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`cannot reach the Dispatch API at ${url} (ECONNREFUSED)`);
    expect(result.stderr).toContain('npm start');
  });

  it('exits 2 on a usage error', async () => {
    const result = await dispatch(['subscribers', 'add', 'reader@example.org']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: "dispatch: required option '--tier <tier>' not specified\n",
    });
  });

  it('dry-runs through the API, so a dry run with the API down says so in one line', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await dispatch(['submit', '--dry-run', 'test/fixtures/report-subscriber.md'], {
      DISPATCH_API_URL: url,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`cannot reach the Dispatch API at ${url}`);
  });
});
