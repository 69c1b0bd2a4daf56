import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { freePort } from '../fixtures/free-ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 11, finding 7: SIGTERM to the process `npm start` is (npm's own pid, as a supervisor or a terminal sends
 * it) left the stack running on all five ports, and the next start died with a 15-line EADDRINUSE trace.
 */
const PORT_VARIABLES = [
  'DISPATCH_PORT',
  'DISPATCH_SES_PORT',
  'DISPATCH_DYNAMODB_PORT',
  'DISPATCH_S3_PORT',
  'DISPATCH_SQS_PORT',
] as const;
type Ports = Record<(typeof PORT_VARIABLES)[number], number>;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface Started {
  npm: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(dataDir: string, ports: Ports, silent = false): Started {
  const npm = spawn('npm', silent ? ['start', '--silent'] : ['start'], {
    env: {
      ...process.env,
      DISPATCH_DATA_DIR: dataDir,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    },
    // Its own process group, so the test can clean up whatever is left; signals go to npm's pid alone.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  return { npm, output: () => output, exited };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

const healthy = (port: number) => async () => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200;
  } catch {
    return false;
  }
};

/** Kills whatever a failed test left in the npm process group. */
function cleanUp(started: Started | undefined): void {
  try {
    if (started?.npm.pid) process.kill(-started.npm.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

let dataDir: string;
let ports: Ports;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dispatch-stop-'));
  ports = Object.fromEntries(
    await Promise.all(PORT_VARIABLES.map(async (name) => [name, await freePort()] as const)),
  ) as Ports;
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start stops cleanly on a signal to npm itself', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to npm frees all five ports within 10 s and loses nothing acknowledged',
    async (signal) => {
      let started: Started | undefined;
      let restarted: Started | undefined;
      try {
        started = npmStart(dataDir, ports);
        await until(healthy(ports.DISPATCH_PORT), 60_000, 'first start');
        const token = (await import('node:fs')).readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
        const title = `Acknowledged before ${signal}`;
        const created = await fetch(`http://127.0.0.1:${ports.DISPATCH_PORT}/api/reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            title,
            summary: 'Submitted just before the stop.',
            body: 'Text.',
            tier: 'complimentary',
            series: 'grid-watch',
          }),
        });
        expect(created.status).toBe(201);

        process.kill(started.npm.pid as number, signal);
        const stopMs = await until(
          async () => (await Promise.all(Object.values(ports).map(isFree))).every(Boolean),
          10_000,
          'every port free',
        );
        expect(stopMs).toBeLessThan(10_000);
        expect(await started.exited).not.toBeNull();
        expect(started.output()).toContain('Stopped cleanly.');

        // The next start on the same ports works, and publishes what was acknowledged before the stop.
        restarted = npmStart(dataDir, ports);
        await until(healthy(ports.DISPATCH_PORT), 60_000, 'second start');
        await until(
          async () =>
            (await (await fetch(`http://127.0.0.1:${ports.DISPATCH_PORT}/feeds/rss.xml`)).text()).includes(title),
          20_000,
          'the report in the public feed',
        );
        process.kill(restarted.npm.pid as number, 'SIGTERM');
        await restarted.exited;
      } finally {
        cleanUp(started);
        cleanUp(restarted);
      }
    },
    120_000,
  );
});

describe('npm start on a busy port', () => {
  let blocker: Server | undefined;
  afterAll(() => blocker?.close());

  it.each(PORT_VARIABLES)(
    'exits with one line naming %s and its port, and leaves no port behind',
    async (name) => {
      const busy = { ...ports, [name]: await freePort() } as Ports;
      blocker = createServer();
      await new Promise<void>((resolve) => blocker?.listen(busy[name], '127.0.0.1', resolve));
      let started: Started | undefined;
      try {
        started = npmStart(dataDir, busy, true);
        const code = await Promise.race([
          started.exited,
          new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000)),
        ]);
        expect(code).toBe(1);
        const lines = started
          .output()
          .trim()
          .split('\n')
          .filter((line) => line.trim() !== '');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`${name}=${busy[name]}`);
        expect(lines[0]).toMatch(/in use/);
        const others = Object.entries(busy)
          .filter(([other]) => other !== name)
          .map(([, port]) => port);
        expect((await Promise.all(others.map(isFree))).every(Boolean)).toBe(true);
      } finally {
        cleanUp(started);
        await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
        blocker = undefined;
      }
    },
    90_000,
  );
});
