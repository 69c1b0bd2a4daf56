/**
 * Bench-only preload for the edition pipeline benchmark (edition-pipeline.ts), loaded through edition-probe.mjs:
 * `node --import tsx --import <this file> local/main.ts`. Worker threads inherit the process's `--import`s, so
 * it runs in the stack's main thread (gateway, emulators) and in the consumers' worker thread (planner, senders).
 * Inert unless BENCH_EDITION_PROBE_DIR is set. It changes no behaviour; it only watches:
 *
 *  - main thread: every SendEmail the SES emulator answers 200 is journaled (time, recipients, the
 *    X-Dispatch-Edition header) with a synchronous append, and the emulator's own in-memory inbox is summarised
 *    once a second (mails per edition, distinct recipients) — `GET /store` would serialise every mail body;
 *  - worker thread: the sender's and planner's ports are timed by wrapping their adapters' prototype methods
 *    (token-bucket slot, status GetItem, claim PutItem, SES call, result UpdateItem, …);
 *  - both: event-loop utilisation per second, to show which thread is busy.
 *
 * Each thread rewrites `probe-<thread>.json` in the probe dir once a second.
 */
import { openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';

const probeDir = process.env.BENCH_EDITION_PROBE_DIR;

/** Epoch milliseconds with sub-millisecond precision, comparable across threads and processes. */
const now = (): number => performance.timeOrigin + performance.now();

export interface OpStats {
  count: number;
  totalMs: number;
  maxMs: number;
  firstStart: number;
  lastEnd: number;
  /** Every duration (ms, 0.01 precision), for percentiles. */
  samples: number[];
}

export interface ProbeDump {
  thread: 'main' | 'worker';
  threadId: number;
  writtenAt: number;
  ops: Record<string, OpStats>;
  errors: Record<string, Record<string, { count: number; firstMessage: string }>>;
  counters: Record<string, number>;
  /** Event-loop utilisation of this thread, one entry per second. */
  elu: { t: number; utilization: number }[];
}

export interface SesStoreSummary {
  writtenAt: number;
  total: number;
  editions: Record<string, { mails: number; recipients: number }>;
}

/** One line per mail the SES emulator accepted. */
export interface SesAcceptLine {
  t: number;
  to: string[];
  edition?: string;
  /** Request body size: the mail as the SDK sent it, JSON-encoded. */
  bytes: number;
}

export const SES_JOURNAL = 'ses-accepted.jsonl';
export const SES_STORE_SUMMARY = 'ses-store.json';
export const probeFile = (thread: 'main' | 'worker', id: number): string => `probe-${thread}-${id}.json`;

const ops: Record<string, OpStats> = {};
/** Plain counts (main thread: SendEmail requests and the TCP connections the SES emulator accepted for them). */
const counters: Record<string, number> = {};

function record(name: string, began: number, ended: number): void {
  const stats = (ops[name] ??= {
    count: 0,
    totalMs: 0,
    maxMs: 0,
    firstStart: began,
    lastEnd: ended,
    samples: [],
  });
  const ms = ended - began;
  stats.count += 1;
  stats.totalMs += ms;
  stats.maxMs = Math.max(stats.maxMs, ms);
  stats.firstStart = Math.min(stats.firstStart, began);
  stats.lastEnd = Math.max(stats.lastEnd, ended);
  stats.samples.push(Math.round(ms * 100) / 100);
}

/** Errors the timed methods threw, by method and kind (name, code, HTTP status), with the first message seen. */
const errors: Record<string, Record<string, { count: number; firstMessage: string }>> = {};

function recordError(name: string, error: unknown): void {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { name?: string; code?: string };
  };
  const cause = shape.cause
    ? ` (cause ${shape.cause.name ?? ''}${shape.cause.code ? `:${shape.cause.code}` : ''})`
    : '';
  const kind = [shape.name ?? 'unknown', shape.code, shape.$metadata?.httpStatusCode].filter(Boolean).join(':') + cause;
  const byKind = (errors[name] ??= {});
  const entry = (byKind[kind] ??= { count: 0, firstMessage: String(shape.message ?? '').slice(0, 160) });
  entry.count += 1;
}

type Method = (...args: unknown[]) => unknown;

/** Times each named method of a class, on its prototype, so instances made before or after are all covered. */
function timeMethods(label: string, prototype: object, names: readonly string[]): void {
  for (const name of names) {
    const original: unknown = Reflect.get(prototype, name);
    if (typeof original !== 'function') throw new Error(`edition probe: ${label}.${name} is not a method`);
    const method = original as Method;
    const timed = function (this: unknown, ...args: unknown[]): unknown {
      const began = now();
      const result = Reflect.apply(method, this, args);
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => {
            record(`${label}.${name}`, began, now());
            return value;
          },
          (error: unknown) => {
            record(`${label}.${name}`, began, now());
            recordError(`${label}.${name}`, error);
            throw error;
          },
        );
      }
      record(`${label}.${name}`, began, now());
      return result;
    };
    Reflect.set(prototype, name, timed);
  }
}

function writeAtomically(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}

function startDumps(dir: string, thread: 'main' | 'worker', extra?: () => void): void {
  const elu: ProbeDump['elu'] = [];
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const current = performance.eventLoopUtilization();
    elu.push({ t: now(), utilization: performance.eventLoopUtilization(current, last).utilization });
    last = current;
    if (sesServers.size > 0) {
      counters.sesConnections = [...sesServers].reduce((sum, server) => sum + (connections.get(server) ?? 0), 0);
    }
    const dump: ProbeDump = { thread, threadId, writtenAt: now(), ops, errors, counters, elu };
    writeAtomically(join(dir, probeFile(thread, threadId)), JSON.stringify(dump));
    extra?.();
  }, 1_000);
  timer.unref();
}

/* ---------- Main thread: the SES emulator ---------- */

interface SesRequest extends http.IncomingMessage {
  body?: {
    Destination?: { ToAddresses?: string[] };
    Content?: { Simple?: { Headers?: { Name: string; Value: string }[] } };
  };
}

interface StoredMail {
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
}

const EDITION_HEADER = 'X-Dispatch-Edition';

/** TCP connections each HTTP server of the process accepted; the SES emulator's is the one SendEmail reached. */
const connections = new Map<http.Server, number>();
/** The server(s) SendEmail reached: the SES emulator. */
const sesServers = new Set<http.Server>();

function tapSesEmulator(dir: string): void {
  const journal = openSync(join(dir, SES_JOURNAL), 'a');
  const originalEmit = http.Server.prototype.emit;
  // Only aws-ses-v2-local serves SES v2's SendEmail path; the gateway, S3, SQS and DynamoDB never see it.
  http.Server.prototype.emit = function emit(this: http.Server, event: string, ...args: unknown[]): boolean {
    if (event === 'connection') connections.set(this, (connections.get(this) ?? 0) + 1);
    if (event === 'request') {
      const [req, res] = args as [SesRequest, http.ServerResponse];
      if (req.method === 'POST' && (req.url ?? '').startsWith('/v2/email/outbound-emails')) {
        sesServers.add(this);
        counters.sesSendEmailRequests = (counters.sesSendEmailRequests ?? 0) + 1;
        res.once('finish', () => {
          if (res.statusCode !== 200) return;
          const headers = req.body?.Content?.Simple?.Headers ?? [];
          const edition = headers.find((header) => header.Name === EDITION_HEADER)?.Value;
          const line: SesAcceptLine = {
            t: now(),
            to: req.body?.Destination?.ToAddresses ?? [],
            edition,
            bytes: Number(req.headers['content-length'] ?? 0),
          };
          writeSync(journal, JSON.stringify(line) + '\n');
        });
      }
    }
    return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
  };
}

/** The emulator's own inbox (the module `GET /store` reads), loaded from the same file so it is the same array. */
function sesInbox(): () => readonly StoredMail[] {
  const require = createRequire(import.meta.url);
  const storeModule = join(dirname(require.resolve('aws-ses-v2-local')), 'store.js');
  const { getStoreReadonly } = require(storeModule) as { getStoreReadonly: () => { emails: StoredMail[] } };
  return () => getStoreReadonly().emails;
}

function summariseInbox(dir: string, inbox: () => readonly StoredMail[]): () => void {
  let summarised = -1;
  return () => {
    const emails = inbox();
    if (emails.length === summarised) return;
    summarised = emails.length;
    const perEdition = new Map<string, { mails: number; recipients: Set<string> }>();
    for (const mail of emails) {
      const edition = mail.headers?.find((header) => header.name === EDITION_HEADER)?.value ?? '(none)';
      const entry = perEdition.get(edition) ?? { mails: 0, recipients: new Set<string>() };
      entry.mails += 1;
      for (const to of mail.destination.to) entry.recipients.add(to);
      perEdition.set(edition, entry);
    }
    const summary: SesStoreSummary = {
      writtenAt: now(),
      total: emails.length,
      editions: Object.fromEntries(
        [...perEdition].map(([id, entry]) => [id, { mails: entry.mails, recipients: entry.recipients.size }]),
      ),
    };
    writeAtomically(join(dir, SES_STORE_SUMMARY), JSON.stringify(summary));
  };
}

/* ---------- Worker thread: the planner's and sender's ports ---------- */

/** The slice of an SDK client's middleware stack the retry watcher needs. */
interface MiddlewareStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<{ output: { $metadata?: { attempts?: number } } }>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize' | 'finalizeRequest'; name: string; priority?: 'low' },
  ): void;
}

/**
 * Counts the DynamoDB calls the SDK sent more than once (its own retries of throttles, 5xx and network errors),
 * by how they ended: a conditional write retried after its first attempt landed comes back as a condition failure.
 */
function watchSdkRetries(stack: MiddlewareStack): void {
  const note = (command: string, kind: string): void => {
    const byKind = (errors[`sdk.DynamoDB.${command}`] ??= {});
    (byKind[kind] ??= { count: 0, firstMessage: '' }).count += 1;
  };
  stack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        const attempts = result.output.$metadata?.attempts ?? 1;
        if (attempts > 1) note(command, `retried ${attempts - 1}×, then succeeded`);
        return result;
      } catch (error) {
        const shape = error as { name?: string; $metadata?: { attempts?: number } };
        const attempts = shape.$metadata?.attempts ?? 1;
        if (attempts > 1) note(command, `retried ${attempts - 1}×, then ${shape.name ?? 'Error'}`);
        throw error;
      }
    },
    { step: 'initialize', name: 'benchRetryWatch' },
  );
  // Inside the SDK's retry loop (finalizeRequest, after its retry middleware): what each failed attempt was.
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const shape = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
        const kind = [shape.name ?? 'Error', shape.code, shape.$metadata?.httpStatusCode].filter(Boolean).join(':');
        if (shape.name !== 'ConditionalCheckFailedException') {
          note(`${(context.commandName ?? 'Unknown').replace(/Command$/, '')} attempt`, kind);
        }
        throw error;
      }
    },
    { step: 'finalizeRequest', name: 'benchAttemptWatch', priority: 'low' },
  );
}

async function timeDigestAdapters(): Promise<void> {
  // The handlers' shared client (clients.ts creates it once per thread): watched before any handler sends.
  const { dynamoDocumentClient } = await import('../../lambdas/adapters/clients');
  watchSdkRetries(dynamoDocumentClient().middlewareStack as unknown as MiddlewareStack);
  const [mailer, editions, deliveries, subscribers, sources, queue, sender, planner] = await Promise.all([
    import('../../lambdas/adapters/mailer'),
    import('../../lambdas/adapters/editions-store'),
    import('../../lambdas/adapters/deliveries-store'),
    import('../../lambdas/adapters/subscribers-store'),
    import('../../lambdas/adapters/edition-sources'),
    import('../../lambdas/adapters/queue'),
    import('../../lambdas/core/digest/mail-delivery'),
    import('../../lambdas/core/digest/edition-planner'),
  ]);
  timeMethods('mailer', mailer.SesMailer.prototype, ['slot', 'sendOnce']);
  timeMethods('editions', editions.EditionsStore.prototype, [
    'getEdition',
    'sendState',
    'count',
    'setStatus',
    'recordPlannedPage',
    'finishPlanning',
    'markCompiled',
  ]);
  timeMethods('deliveries', deliveries.DeliveriesStore.prototype, [
    'getDeliveries',
    'claimDelivery',
    'finishDelivery',
    'releaseDelivery',
  ]);
  timeMethods('subscribers', subscribers.SubscribersStore.prototype, ['getMany']);
  timeMethods('recipients', sources.ActiveSubscriberPages.prototype, ['activePage']);
  timeMethods('compiled', sources.VaultCompiledEditions.prototype, ['get', 'put']);
  timeMethods('queue', queue.JsonQueue.prototype, ['sendAll']);
  // `deliver` is private in TypeScript, an ordinary prototype method at run time: one recipient, end to end.
  timeMethods('sender', sender.MailSender.prototype, ['send', 'deliver']);
  timeMethods('planner', planner.EditionPlanner.prototype, ['plan', 'compileGuarded']);
}

if (probeDir !== undefined && probeDir !== '') {
  if (isMainThread) {
    tapSesEmulator(probeDir);
    const inbox = sesInbox();
    const timeFeedbackPoller = import('../../local/ses-feedback-poller').then(({ SesFeedbackPoller }) =>
      timeMethods('feedbackPoller', SesFeedbackPoller.prototype, ['pass']),
    );
    await timeFeedbackPoller;
    startDumps(probeDir, 'main', summariseInbox(probeDir, inbox));
  } else {
    await timeDigestAdapters();
    startDumps(probeDir, 'worker');
  }
}
