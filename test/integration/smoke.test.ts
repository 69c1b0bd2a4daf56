import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../fixtures/free-ports';

async function waitForHealth(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/api/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the stack did not answer /api/health in time');
}

it('npm start serves the API, writes the token and endpoints, and stops cleanly on SIGTERM', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-smoke-'));
  const port = await freePort();
  const child = spawn('npm', ['start', '--silent'], {
    env: {
      ...process.env,
      DISPATCH_DATA_DIR: dataDir,
      DISPATCH_PORT: String(port),
      DISPATCH_SES_PORT: '0',
      DISPATCH_DYNAMODB_PORT: '0',
      DISPATCH_S3_PORT: '0',
      DISPATCH_SQS_PORT: '0',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close' waits for every process in the tree to release the pipes, i.e. for the stack itself to exit.
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, Date.now() + 60_000);
    expect(output).toContain('Dispatch is running');
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    const endpoints = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as Record<string, unknown>;
    expect(endpoints).toMatchObject({ api: url, tables: expect.any(Object), buckets: expect.any(Object) });
    expect(String(endpoints.dynamodb)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await fetch(`${url}/api/reports`)).status).toBe(401);
    expect((await fetch(`${url}/api/reports`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
  expect(output).toContain('Stopped cleanly.');
  expect(existsSync(dataDir)).toBe(false);
}, 90_000);
