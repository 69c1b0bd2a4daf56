import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { percentile, round } from './stats';

/**
 * p99 of POST /api/reports at a steady 20 requests/s for 30 s. The local stack runs as its own process
 * (`node --import tsx local/main.ts`, what `npm start` runs, on free ports with a temp data dir) so the load
 * generator does not share its event loop. Open loop: request i is sent at t0 + i/rate whatever the earlier
 * responses did, so a slow response cannot hide the queueing it causes.
 */
export interface SubmitLatencyFigures {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  sent: number;
  ok: number;
  failed: number;
  /** How late the generator itself fired requests (p99), to show the schedule held. */
  sendLagP99Ms: number;
  rate: number;
  seconds: number;
  /** Closed loop, one request at a time on the idle stack: the service time of one submit (median). */
  idleServiceMs: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RATE = 20;
const SECONDS = Number(process.env.BENCH_SUBMIT_SECONDS ?? 30);
const WARMUP_SECONDS = 3;

interface FixtureReport {
  title: string;
  summary: string;
  tier: string;
  series: string;
  tags: string[];
  authors: string[];
  body: string;
}

async function fixtureReport(): Promise<FixtureReport> {
  const text = await readFile(join(ROOT, 'test', 'fixtures', 'report-subscriber.md'), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('report-subscriber.md has no front matter');
  const meta = parseYaml(match[1] ?? '') as Record<string, unknown>;
  return {
    title: String(meta.title),
    summary: String(meta.summary),
    tier: String(meta.tier),
    series: String(meta.series),
    tags: (meta.tags as string[] | undefined) ?? [],
    authors: (meta.authors as string[] | undefined) ?? [],
    body: match[2] ?? '',
  };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Lets the stream deliveries the warm-up caused finish: waits until a cheap GET answers quickly twice in a row. */
async function waitIdle(api: string, token: string): Promise<void> {
  let quick = 0;
  const deadline = Date.now() + 60_000;
  while (quick < 2 && Date.now() < deadline) {
    const began = performance.now();
    await (await fetch(`${api}/api/reports?limit=1`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
    quick = performance.now() - began < 30 ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** BENCH_SUBMIT_CPU_PROFILE=dir writes a V8 CPU profile of the stack process there (for finding where time goes). */
function startStack(dataDir: string): ChildProcess {
  const profileDir = process.env.BENCH_SUBMIT_CPU_PROFILE;
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  return spawn(process.execPath, [...profile, '--import', 'tsx', 'local/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DISPATCH_DATA_DIR: dataDir,
      DISPATCH_PORT: '0',
      DISPATCH_SES_PORT: '0',
      DISPATCH_DYNAMODB_PORT: '0',
      DISPATCH_S3_PORT: '0',
      DISPATCH_SQS_PORT: '0',
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function stopStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function measureSubmitLatency(log: (line: string) => void): Promise<SubmitLatencyFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-bench-submit-'));
  const child = startStack(dataDir);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  try {
    const endpoints = await waitFor('the local stack (endpoints.json)', 90_000, async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited early: ${stderr}`);
      return JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as { api: string };
    }).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; stack stderr: ${stderr}`);
    });
    await waitFor('GET /api/health', 30_000, async () =>
      (await fetch(`${endpoints.api}/api/health`)).ok ? true : undefined,
    );
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    const report = await fixtureReport();
    const submit = async (i: number): Promise<number> => {
      const response = await fetch(`${endpoints.api}/api/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...report,
          title: `${report.title} — bench ${i} ${Math.random().toString(36).slice(2, 8)}`,
          tier: i % 2 === 0 ? 'subscriber' : 'complimentary',
        }),
      });
      await response.arrayBuffer();
      return response.status;
    };

    const runPhase = async (seconds: number, first: number) => {
      const count = seconds * RATE;
      const t0 = performance.now() + 50;
      const results: Promise<{ ms: number; status: number; lag: number }>[] = [];
      for (let i = 0; i < count; i++) {
        const due = t0 + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const sentAt = performance.now();
        results.push(
          submit(first + i).then(
            (status) => ({ ms: performance.now() - sentAt, status, lag: sentAt - due }),
            () => ({ ms: performance.now() - sentAt, status: 0, lag: sentAt - due }),
          ),
        );
      }
      return Promise.all(results);
    };

    // Cold start of the handlers (tsx transpiles them on first import) is not part of the steady state.
    await runPhase(WARMUP_SECONDS, 0);
    await waitIdle(endpoints.api, token);
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) {
      const began = performance.now();
      await submit(100_000 + i);
      idle.push(performance.now() - began);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await waitIdle(endpoints.api, token);
    const results = await runPhase(SECONDS, WARMUP_SECONDS * RATE);
    const ok = results.filter((r) => r.status === 201);
    if (ok.length === 0)
      throw new Error(`No submit succeeded (statuses ${[...new Set(results.map((r) => r.status))].join(', ')})`);
    const latencies = results.map((r) => r.ms);
    const figures: SubmitLatencyFigures = {
      p50Ms: round(percentile(latencies, 50), 1),
      p90Ms: round(percentile(latencies, 90), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      maxMs: round(Math.max(...latencies), 1),
      sent: results.length,
      ok: ok.length,
      failed: results.length - ok.length,
      sendLagP99Ms: round(
        percentile(
          results.map((r) => r.lag),
          99,
        ),
        1,
      ),
      rate: RATE,
      seconds: SECONDS,
      idleServiceMs: round(percentile(idle, 50), 1),
    };
    log(
      `submit: ${figures.sent} requests at ${RATE}/s (${figures.ok} × 201, ${figures.failed} other): p50 ${figures.p50Ms} ms, p90 ${figures.p90Ms}, p99 ${figures.p99Ms}, max ${figures.maxMs}; send lag p99 ${figures.sendLagP99Ms} ms`,
    );
    return figures;
  } finally {
    await stopStack(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}
