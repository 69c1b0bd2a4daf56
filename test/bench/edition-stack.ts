import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The local stack for the edition benchmark, as `npm start` runs it (`node --import tsx local/main.ts`: one
 * process, the gateway and emulators on its main thread, every queue consumer in one worker thread), on free
 * ports and a temp data dir, with the bench's probe preloaded into both threads (see edition-probe.ts). A child
 * process rather than `startTempStack` in this process: seeding and polling then never share the stack's event
 * loops, and a preload is the only way into the consumers' worker thread without touching local/.
 */
export interface Endpoints {
  api: string;
  dynamodb: string;
  ses: string;
  region: string;
  tables: Record<string, string>;
}

export interface BenchStack {
  pid: number;
  endpoints: Endpoints;
  adminToken: string;
  /** Lines the stack logged with `dead-letter:` (mail or plan queue records it gave up on). */
  deadLetterLines(): string[];
  /** The last few KB the stack wrote to stdout and stderr, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  dataDir: string;
  probeDir: string;
  sendRatePerSecond: number;
  /** Directory for V8 CPU profiles of both threads (`--cpu-prof`); none when undefined. */
  cpuProfileDir: string | undefined;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./edition-probe.mjs', import.meta.url));
const TAIL_CHARS = 6_000;

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', '--import', PROBE, 'local/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DISPATCH_DATA_DIR: options.dataDir,
      DISPATCH_PORT: '0',
      DISPATCH_SES_PORT: '0',
      DISPATCH_DYNAMODB_PORT: '0',
      DISPATCH_S3_PORT: '0',
      DISPATCH_SQS_PORT: '0',
      DISPATCH_SEND_RATE_PER_SECOND: String(options.sendRatePerSecond),
      BENCH_EDITION_PROBE_DIR: options.probeDir,
      // Handlers log per message at INFO; npm start's console is not what is measured here.
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const deadLetters: string[] = [];
  let partial = '';
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-TAIL_CHARS);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.includes('dead-letter:')) deadLetters.push(line);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  try {
    const endpoints = await waitFor('the local stack (endpoints.json)', 90_000, async () => {
      if (child.exitCode !== null) throw new Error(`the stack exited early (${child.exitCode})`);
      return JSON.parse(await readFile(join(options.dataDir, 'endpoints.json'), 'utf8')) as Endpoints;
    });
    await waitFor('GET /api/health', 30_000, async () =>
      (await fetch(`${endpoints.api}/api/health`)).ok ? true : undefined,
    );
    const adminToken = (await readFile(join(options.dataDir, 'admin-token'), 'utf8')).trim();
    if (child.pid === undefined) throw new Error('the stack process has no pid');
    const pid = child.pid;
    return {
      pid,
      endpoints,
      adminToken,
      deadLetterLines: () => [...deadLetters],
      tail: () => tail,
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw new Error(`${error instanceof Error ? error.message : String(error)}; stack output: ${tail}`, {
      cause: error,
    });
  }
}

/** SIGTERM (npm start's clean stop, which also writes CPU profiles), SIGKILL after 15 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Polls `probe` until it returns a value; a probe that throws counts as "not yet" until the deadline, and its last
 * error is named then.
 */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`Timed out waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/* ---------- CPU: the machine and the stack process, from /proc ---------- */

export interface CpuSample {
  t: number;
  /** Jiffies the whole machine spent busy and in all, summed over cores. */
  machineBusy: number;
  machineTotal: number;
  /**
   * Per thread of the stack process, by thread id (the main thread's is the pid): nanoseconds on a CPU and
   * nanoseconds runnable but waiting for one (/proc/<pid>/task/<tid>/schedstat).
   */
  threads: Map<number, { runNs: number; waitNs: number }>;
  /** This (bench) process, µs of CPU. */
  benchMicros: number;
}

export async function cpuSample(pid: number): Promise<CpuSample> {
  const stat = await readFile('/proc/stat', 'utf8');
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  const threads: CpuSample['threads'] = new Map();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    // A thread may end between the listing and the read: it simply has no entry in this sample.
    const line = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ESRCH') return undefined;
      throw error;
    });
    if (line === undefined) continue;
    const [runNs = 0, waitNs = 0] = line.trim().split(' ').map(Number);
    threads.set(Number(tid), { runNs, waitNs });
  }
  const bench = process.cpuUsage();
  return {
    t: Date.now(),
    machineBusy: total - idle - iowait,
    machineTotal: total,
    threads,
    benchMicros: bench.user + bench.system,
  };
}

export interface ThreadTime {
  /** Seconds on a CPU. */
  run: number;
  /** Seconds runnable but waiting for a CPU (taken by another thread or process). */
  wait: number;
}

export interface CpuUse {
  seconds: number;
  /** Cores in use on average: the whole machine, the stack process, this process, everything else. */
  machine: number;
  stack: number;
  bench: number;
  other: number;
  /**
   * The stack's threads: its main thread (gateway, emulators), its busiest other thread (the consumers' worker:
   * planner and senders) and the rest together (libuv pool — LevelDB and file I/O —, GC helpers).
   */
  threads: { main: ThreadTime; consumers: ThreadTime; rest: ThreadTime };
}

export function cpuBetween(from: CpuSample, to: CpuSample, cores: number, pid: number): CpuUse {
  const seconds = (to.t - from.t) / 1000;
  const machineShare = (to.machineBusy - from.machineBusy) / Math.max(1, to.machineTotal - from.machineTotal);
  const used = [...to.threads].map(([tid, now]) => {
    const before = from.threads.get(tid) ?? { runNs: 0, waitNs: 0 };
    return { tid, run: (now.runNs - before.runNs) / 1e9, wait: (now.waitNs - before.waitNs) / 1e9 };
  });
  const main = used.find((thread) => thread.tid === pid) ?? { run: 0, wait: 0 };
  const others = used.filter((thread) => thread.tid !== pid).sort((a, b) => b.run - a.run);
  const consumers = others[0] ?? { run: 0, wait: 0 };
  const rest = others.slice(1).reduce((sum, thread) => ({ run: sum.run + thread.run, wait: sum.wait + thread.wait }), {
    run: 0,
    wait: 0,
  });
  const machine = machineShare * cores;
  const stack = (main.run + consumers.run + rest.run) / seconds;
  const bench = (to.benchMicros - from.benchMicros) / 1e6 / seconds;
  const time = ({ run, wait }: ThreadTime): ThreadTime => ({ run, wait });
  return {
    seconds,
    machine,
    stack,
    bench,
    other: Math.max(0, machine - stack - bench),
    threads: { main: time(main), consumers: time(consumers), rest: time(rest) },
  };
}
