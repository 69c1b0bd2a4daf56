import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SynthesizedFunction } from './cloud-assembly';

/**
 * One synthesized function in its own execution environment: the asset directory copied to a fresh directory
 * under the OS temp dir (the task root), a new `node` with that as its cwd, only the Lambda environment, and
 * `runtime-bootstrap.mjs` importing the handler module and invoking it one event at a time.
 */

export interface InvocationError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type Invocation =
  | { readonly ok: true; readonly value: unknown; readonly ms: number }
  | { readonly ok: false; readonly error: InvocationError; readonly ms: number };

type ChildMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; error: InvocationError }
  | ({ type: 'result'; id: string } & Invocation);

const BOOTSTRAP = join(dirname(fileURLToPath(import.meta.url)), 'runtime-bootstrap.mjs');
/**
 * Lambda gives an on-demand function's init phase 10 s; an init that runs longer is run again inside the first
 * invocation, under the function's timeout. So init may take the larger of the two before the function is dead.
 */
const INIT_PHASE_MS = 10_000;
const initLimitMs = (fn: SynthesizedFunction): number => Math.max(INIT_PHASE_MS, fn.timeoutSeconds * 1000);
const KEPT_OUTPUT_LINES = 400;

/** Thrown when a bundle cannot even start: its import failed or took longer than Lambda allows. */
export class BundleInitError extends Error {
  override readonly name = 'BundleInitError';
}

/**
 * Every directory Node's resolvers could look in from the task root: `node_modules` in the task root and each
 * directory above it, and the global folder beside the node binary (`$HOME` is unset, so `~/.node_modules` is
 * not consulted). Any that exists would let the bundle load something it does not contain.
 */
export function reachableModuleDirs(taskRoot: string): string[] {
  const dirs: string[] = [];
  for (let dir = taskRoot; ; dir = dirname(dir)) {
    dirs.push(join(dir, 'node_modules'));
    if (dir === parse(dir).root) break;
  }
  dirs.push(join(dirname(dirname(process.execPath)), 'lib', 'node'));
  return dirs.filter((dir) => existsSync(dir));
}

export class BundleProcess {
  private readonly output: string[] = [];
  private readonly pending = new Map<string, (message: Invocation) => void>();
  private exited: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly fn: SynthesizedFunction,
    public readonly taskRoot: string,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      let partial = '';
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        this.output.push(...lines);
        this.output.splice(0, Math.max(0, this.output.length - KEPT_OUTPUT_LINES));
      });
    }
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'result') return;
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
    child.on('exit', (code, signal) => {
      this.exited = `exited with ${signal ?? `code ${code}`}`;
      for (const [id, settle] of this.pending) {
        settle({ ok: false, error: { name: 'ProcessExited', message: `the process ${this.exited}` }, ms: 0 });
        this.pending.delete(id);
      }
    });
  }

  /** Milliseconds the handler module took to import (cold start: module evaluation and top-level awaits). */
  initMs = 0;

  /** Copies the bundle into `<root>/<name>/task`, starts its process and waits for the handler to load. */
  static async start(
    fn: SynthesizedFunction,
    env: Readonly<Record<string, string>>,
    root: string,
  ): Promise<BundleProcess> {
    const taskRoot = join(root, fn.name, 'task');
    const runtimeDir = join(root, fn.name, 'runtime');
    await cp(fn.assetDir, taskRoot, { recursive: true });
    await mkdir(runtimeDir, { recursive: true });
    const bootstrap = join(runtimeDir, 'bootstrap.mjs');
    await copyFile(BOOTSTRAP, bootstrap);
    const reachable = reachableModuleDirs(taskRoot);
    if (reachable.length > 0) {
      throw new BundleInitError(`modules outside the bundle are reachable from ${taskRoot}: ${reachable.join(', ')}`);
    }
    const child = spawn(process.execPath, [bootstrap, String(fn.timeoutSeconds)], {
      cwd: taskRoot,
      env: { ...env, LAMBDA_TASK_ROOT: taskRoot, LAMBDA_RUNTIME_DIR: runtimeDir },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const bundle = new BundleProcess(child, fn, taskRoot);
    bundle.initMs = await bundle.ready();
    return bundle;
  }

  private ready(): Promise<number> {
    return new Promise((resolve, reject) => {
      const limitMs = initLimitMs(this.fn);
      const timer = setTimeout(() => {
        this.child.kill();
        reject(new BundleInitError(`init did not finish within ${limitMs / 1000} s`));
      }, limitMs);
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'result') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        if (message.type === 'ready') resolve(message.initMs);
        else reject(new BundleInitError(`init failed: ${message.error.name}: ${message.error.message}`));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', () => {
        clearTimeout(timer);
        reject(
          new BundleInitError(`the process ${this.exited ?? 'exited'} during init: ${this.lastErrorLine() ?? ''}`),
        );
      });
    });
  }

  /** One invocation, answered within the function's timeout or failed as Lambda's "Task timed out". */
  invoke(event: unknown): Promise<Invocation> {
    if (this.exited !== undefined) {
      return Promise.resolve({
        ok: false,
        error: { name: 'ProcessExited', message: `the process ${this.exited}` },
        ms: 0,
      });
    }
    const id = randomUUID();
    const limitMs = this.fn.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.child.kill();
        resolve({
          ok: false,
          error: { name: 'TimedOut', message: `Task timed out after ${this.fn.timeoutSeconds} s` },
          ms: limitMs,
        });
      }, limitMs + 1000);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Parent=${randomUUID().replaceAll('-', '').slice(0, 16)};Sampled=1`;
      this.child.send({ type: 'invoke', id, event, traceId, requestId: randomUUID() });
    });
  }

  /** The function's own output (Powertools JSON logs, EMF lines, warnings), newest last. */
  recentOutput(): readonly string[] {
    return this.output;
  }

  /**
   * The newest ERROR-level log entry that names an error (the handler's "Unhandled error"), else the newest
   * ERROR entry: why an invocation failed, in the function's own words.
   */
  lastErrorLine(): string | undefined {
    let plain: string | undefined;
    for (const line of [...this.output].reverse()) {
      const entry = logEntry(line);
      if (entry?.level !== 'ERROR') continue;
      if (entry.error !== undefined) return `${String(entry.message)} (${JSON.stringify(entry.error)})`;
      plain ??= String(entry.message);
    }
    return plain;
  }

  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill();
    await exited;
  }
}

/** A Powertools JSON log line, or undefined for anything else the process printed. */
function logEntry(line: string): { level?: unknown; message?: unknown; error?: unknown } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as { level?: unknown; message?: unknown; error?: unknown };
  } catch {
    return undefined; // a line that merely starts with "{" is not a log entry
  }
}
