import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Endpoints } from '../../local/stack';

/**
 * The local stack as a bench meets it: `node --import tsx local/main.ts` (what `npm start` runs) in a child
 * process, on free ports (0) with a temp data dir, so several benches and helpers can run stacks side by side and
 * the load generator never shares the stack's event loop or cores' scheduling with it.
 */
export interface BenchStack {
  /** The gateway: `/api/*` and the CloudFront stand-in for the site bucket. */
  api: string;
  dataDir: string;
  endpoints: Endpoints;
  /** The admin editor token the stack wrote on first start. */
  token: string;
  /** SIGTERM, then SIGKILL after 15 s; removes the data dir. */
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** Added to (and overriding) the inherited environment, e.g. `POWERTOOLS_LOG_LEVEL`. */
  env?: Record<string, string>;
  /** Every line the stack writes to stdout (its own log and the functions' JSON logs), as it arrives. */
  onStdoutLine?: (line: string) => void;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-bench-stack-'));
  const child = spawnStack(dataDir, options);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const onLine = options.onStdoutLine;
  if (onLine && child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const endpoints = await waitFor('the local stack (endpoints.json)', 90_000, async () => {
      if (child.exitCode !== null) throw new StackExited(`the stack exited early (${child.exitCode}): ${stderr}`);
      return JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as Endpoints;
    });
    await waitFor('GET /api/health', 30_000, async () =>
      (await fetch(`${endpoints.api}/api/health`)).ok ? true : undefined,
    );
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    return { api: endpoints.api, dataDir, endpoints, token, stop };
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}; stack stderr: ${stderr}`, {
      cause: error,
    });
  }
}

/** BENCH_STACK_CPU_PROFILE=dir writes a V8 CPU profile of the stack process there (for finding where time goes). */
function spawnStack(dataDir: string, options: BenchStackOptions): ChildProcess {
  const profileDir = process.env.BENCH_STACK_CPU_PROFILE;
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
      ...options.env,
    },
    stdio: ['ignore', options.onStdoutLine ? 'pipe' : 'ignore', 'pipe'],
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A failure that no amount of waiting will cure; `waitFor` rethrows it at once. */
class StackExited extends Error {}

/** Probes every 200 ms until it gives a value; a probe that throws counts as "not yet" (the port may not listen). */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      if (error instanceof StackExited) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(200);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The body of `POST /api/reports`, as an editor's client sends it. */
export interface ReportInput {
  title: string;
  summary: string;
  tier: string;
  series: string;
  tags: string[];
  authors: string[];
  body: string;
}

/**
 * `test/fixtures/report-subscriber.md` as a submit body. Its slug and `publishAt` are left out: each bench submit
 * gets its own slug from its title and is published at once.
 */
export async function fixtureReport(): Promise<ReportInput> {
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

export interface SubmitAnswer {
  status: number;
  body: string;
  /** Epoch ms when the status line and headers arrived: the moment the editor's client has its answer. */
  answeredAt: number;
}

/** `POST /api/reports` with the admin token; the response body is read to the end. */
export async function submitReport(
  stack: Pick<BenchStack, 'api' | 'token'>,
  input: ReportInput,
): Promise<SubmitAnswer> {
  const response = await fetch(`${stack.api}/api/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const answeredAt = Date.now();
  return { status: response.status, body: await response.text(), answeredAt };
}
