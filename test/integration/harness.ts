import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';

/**
 * How tests run the local stack: free ports, schedules off (tests fire them with `stack.fireSchedule(name, time)`
 * to control the clock), fast retries, consumers in-process and no stream batching window, so a test waits for
 * its own work only.
 */
export const TEST_STACK_OPTIONS: Omit<LocalStackOptions, 'dataDir'> = {
  port: 0,
  sesPort: 0,
  dynamodbPort: 0,
  s3Port: 0,
  sqsPort: 0,
  sweepIntervalMs: 60_000,
  retryDelayMs: 20,
  schedules: false,
  isolateConsumers: false,
  streamBatchWindowMs: 0,
  // Only the console's own tests build and serve it (`{ console: true }`).
  console: false,
  log: () => undefined,
};

/** A local stack in its own temp data dir, removed again by `close`. */
export interface TempStack {
  stack: LocalStack;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts the local stack with `TEST_STACK_OPTIONS` and `overrides` (benchmarks run it as `npm start` does). */
export async function startTempStack(overrides: Partial<Omit<LocalStackOptions, 'dataDir'>> = {}): Promise<TempStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-test-'));
  const stack = await startLocalStack({ ...TEST_STACK_OPTIONS, ...overrides, dataDir });
  return {
    stack,
    dataDir,
    async close() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One local stack per test file, in this process, as `TEST_STACK_OPTIONS` runs it, with an API helper. */
export interface Harness {
  stack: LocalStack;
  dataDir: string;
  /** fetch against the gateway with the admin token unless `token` is given (null: no header). */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Receives the local stack's log lines (gateway access log, dead letters…); dropped by default. */
  log?: (line: string) => void;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { stack, dataDir, close } = await startTempStack(options.log ? { log: options.log } : {});
  return {
    stack,
    dataDir,
    close,
    api(path, init = {}) {
      const { token, json, headers, ...rest } = init;
      const bearer = token === undefined ? stack.adminToken : token;
      return fetch(`${stack.apiUrl}${path}`, {
        ...rest,
        headers: {
          ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}),
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(headers as Record<string, string> | undefined),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
  };
}

/** Makes each address an active subscriber of `tier` through the admin API, as an import would. */
export async function activateReaders(
  harness: Harness,
  emails: readonly string[],
  tier: 'free' | 'paid',
): Promise<void> {
  for (const email of emails) {
    const response = await harness.api(`/api/subscribers/${encodeURIComponent(email)}`, {
      method: 'PUT',
      json: { tier, status: 'active' },
    });
    if (response.status !== 200) throw new Error(`Could not activate a reader: ${response.status}`);
  }
}
