import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { batchWriteItems } from '../../lambdas/adapters/dynamo/batch';
import { applyAdminUpdate } from '../../lambdas/core/subscribers/subscribers';
import {
  SES_JOURNAL,
  SES_STORE_SUMMARY,
  type OpStats,
  type ProbeDump,
  type SesAcceptLine,
  type SesStoreSummary,
} from './edition-probe';
import { monotonicMicros, summariseProfile, type ProfileSummary } from './cpu-profile-summary';
import { cpuBetween, cpuSample, startBenchStack, type BenchStack, type CpuSample } from './edition-stack';
import { percentile, round } from './stats';

/**
 * Issue 13, item 4: recipients delivered per second end to end — `POST /api/digests` (an editor's "send now")
 * → plan queue → digest planner → mail queue → mail senders → SES emulator — for 10,000 active readers with the
 * publication's send rate at 200/s, on the local stack run as `npm start` runs it (see edition-stack.ts).
 *
 * Not timed: seeding (BatchWrite of the items the admin API would write, built by `applyAdminUpdate`) and four
 * reports published through the API. Timed from the moment the send request leaves: the edition's progress is
 * polled through `GET /api/digests/{id}`, mail times come from the probe's SES journal (every SendEmail the
 * emulator answered 200), and where the time goes from the probe's timers around the planner's and senders'
 * ports. At the end the SES emulator's own inbox is counted (mails and distinct recipients of the edition) and
 * the deliveries left `sending` or `unknown` are listed through the API.
 */
export interface EditionPipelineFigures {
  /** Readers ÷ seconds from the send request to the last mail the SES emulator accepted (end to end). */
  editionRecipientsPerSecond: number;
  /** `editionRecipientsPerSecond` ÷ the configured send rate. Goal ≥ 0.9. */
  editionRateRatio: number;
  sendRatePerSecond: number;
  readers: number;
  paidReaders: number;
  reports: number;
  seedSeconds: number;
  editionId: string;
  /** Milliseconds after the send request left. */
  timeline: {
    accepted: number;
    planStart: number;
    compiled: number;
    lastQueueSend: number;
    planEnd: number;
    firstMail: number;
    lastMail: number;
    finalStatusSeen: number;
  };
  sendPhase: {
    seconds: number;
    /** Mails ÷ (last − first mail). */
    recipientsPerSecond: number;
    /** Between the 10th and the 90th percentile mail: the rate once the token bucket's first second is spent. */
    steadyRecipientsPerSecond: number;
    /** Mails accepted in each second after the first mail. */
    perSecond: number[];
    meanMailKB: number;
  };
  /** Per recipient, in the order the sender takes them: mean / p50 / p95 / max ms and the share of `deliver`. */
  perRecipient: Record<
    string,
    { mean: number; p50: number; p95: number; max: number; count: number; shareOfDeliver: number }
  >;
  /** Per queue message (10 recipients): the reads and the counter write around them. */
  perMessage: Record<string, { mean: number; p95: number; count: number }>;
  planner: Record<string, { count: number; totalMs: number }>;
  /** Recipients in flight on average over the send phase (Σ deliver time ÷ send phase). */
  recipientsInFlight: number;
  /** Event-loop utilisation over the send phase: main thread (gateway, emulators) and the consumers' worker. */
  eventLoopUtilisation: { main: number; worker: number };
  /** Cores busy over the send phase: the machine, the stack process, this bench process, everything else. */
  cores: { available: number; machine: number; stack: number; bench: number; other: number };
  /**
   * CPU milliseconds the stack spent per mail over the send phase: main thread (gateway, dynalite, stream proxy,
   * SES emulator, SQS endpoint, feedback poller), the consumers' worker thread (planner, senders: SDK
   * serialisation and signing, personalisation), the rest of its threads (libuv pool: LevelDB; GC helpers).
   */
  cpuMsPerMail: { main: number; consumers: number; rest: number; total: number };
  /** Share of the send phase the main and consumers' threads were runnable but waiting for a CPU. */
  cpuWaitShare: { main: number; consumers: number };
  /**
   * With BENCH_EDITION_CPU_PROFILE: each thread's profile samples over the send phase by component, in ms per
   * mail (see cpu-profile-summary.ts). Samples are taken on wall time, so a thread waiting for a CPU inflates
   * them: read the shares, and `cpuMsPerMail` (of an unprofiled run) for CPU.
   */
  cpuProfile?: CpuProfileBreakdown;
  /** SES feedback poller passes (local/ses-feedback-poller.ts, every second) during the run: count and ms. */
  feedbackPoller: { passes: number; totalMs: number; maxMs: number };
  /**
   * SendEmail requests the SES emulator answered and the TCP connections it accepted for them: connections well
   * above the senders' concurrency mean pooled keep-alive sockets were closed under the client (see
   * `LOCAL_KEEP_ALIVE_MS` in local/listen.ts).
   */
  ses: { sendEmailRequests: number; connections: number };
  /** Errors the planner's and senders' ports threw (by method and kind): throttling, resets, timeouts… */
  errors: ProbeDump['errors'];
  verification: {
    status: string;
    counters: { sent: number; failed: number; suppressed: number; unknown: number };
    sesInboxMails: number;
    sesInboxRecipients: number;
    journalMails: number;
    duplicateRecipients: number;
    readersWithoutMail: number;
    openClaims: number;
    unknownListed: number;
    deadLetters: number;
    ok: boolean;
  };
}

export interface CpuProfileBreakdown {
  main: { busyMsPerMail: number; components: Record<string, number> };
  consumers: { busyMsPerMail: number; components: Record<string, number> };
}

const SEND_RATE = 200;
const PAID_SHARE = 0.2;
const POLL_MS = 500;
const FINAL_STATUSES = new Set(['sent', 'sent-with-gaps', 'cancelled', 'paused']);

export function benchReaders(): number {
  const raw = process.env.BENCH_EDITION_READERS;
  if (raw === undefined || raw === '') return 10_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BENCH_EDITION_READERS must be a positive integer`);
  return value;
}

export async function measureEditionPipeline(log: (line: string) => void): Promise<EditionPipelineFigures> {
  const readers = benchReaders();
  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-bench-edition-'));
  const probeDir = join(dataDir, 'probe');
  await mkdir(probeDir);
  const cpuProfileDir = process.env.BENCH_EDITION_CPU_PROFILE;
  if (cpuProfileDir) await mkdir(cpuProfileDir, { recursive: true });
  const stack = await startBenchStack({ dataDir, probeDir, sendRatePerSecond: SEND_RATE, cpuProfileDir });
  let run: EditionRun;
  try {
    log(`edition: stack up (pid ${stack.pid}, data ${dataDir}); seeding ${readers.toLocaleString('en-US')} readers…`);
    const seeded = await seedReaders(stack, readers);
    log(`edition: ${readers} readers (${seeded.paid} paid) written in ${seeded.seconds.toFixed(1)} s`);
    const reports = await publishReports(stack);
    await waitIdle(stack);
    run = await runEdition(stack, { readers, paid: seeded.paid, seedSeconds: seeded.seconds, reports, probeDir }, log);
  } finally {
    // npm start's clean stop; the CPU profiles are written as the threads exit.
    await stack.stop();
    if (process.env.BENCH_EDITION_KEEP === '1') log(`edition: data dir kept at ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
  if (!cpuProfileDir) return run.figures;
  log(`edition: CPU profiles of the stack's threads in ${cpuProfileDir}`);
  return { ...run.figures, cpuProfile: await profileBreakdown(cpuProfileDir, stack.pid, run) };
}

/** The send phase of each profiled thread by component, in profile ms per mail (main and consumers' threads). */
async function profileBreakdown(dir: string, pid: number, run: EditionRun): Promise<CpuProfileBreakdown> {
  // --cpu-prof names files CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread 0 is the main thread.
  const files = (await readdir(dir)).filter((name) => name.split('.')[3] === String(pid));
  const summaries = await Promise.all(
    files.map(async (name) => ({
      thread: Number(name.split('.')[4]),
      summary: await summariseProfile(join(dir, name), run.sendWindowUs),
    })),
  );
  const main = summaries.find((entry) => entry.thread === 0)?.summary;
  const consumers = summaries
    .filter((entry) => entry.thread !== 0)
    .sort((a, b) => b.summary.busyMs - a.summary.busyMs)[0]?.summary;
  if (!main || !consumers) throw new Error(`No CPU profiles of process ${pid} in ${dir}`);
  const perMail = (summary: ProfileSummary) => ({
    busyMsPerMail: round(summary.busyMs / run.mailsInSendWindow, 2),
    components: Object.fromEntries(
      summary.components
        .map(([component, ms]) => [component, round(ms / run.mailsInSendWindow, 2)] as const)
        .filter(([, ms]) => ms >= 0.01),
    ),
  });
  return { main: perMail(main), consumers: perMail(consumers) };
}

/* ---------- Setup (not timed) ---------- */

async function seedReaders(stack: BenchStack, readers: number): Promise<{ paid: number; seconds: number }> {
  const began = performance.now();
  const table = stack.endpoints.tables.Subscribers;
  if (!table) throw new Error('endpoints.json names no Subscribers table');
  const client = new DynamoDBClient({
    endpoint: stack.endpoints.dynamodb,
    region: stack.endpoints.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  const now = new Date();
  let paid = 0;
  const puts = Array.from({ length: readers }, (_, index) => {
    // Spread evenly: reader i is paid when the running share crosses a whole number.
    const isPaid = Math.floor((index + 1) * PAID_SHARE) > Math.floor(index * PAID_SHARE);
    if (isPaid) paid += 1;
    const email = `reader-${String(index).padStart(6, '0')}@bench.example.org`;
    const Item = applyAdminUpdate(undefined, email, { tier: isPaid ? 'paid' : 'free', status: 'active' }, ulid(), now);
    return { PutRequest: { Item } };
  });
  // 250 items per job (ten BatchWrites one after the other), eight jobs at once.
  const jobs: (typeof puts)[] = [];
  for (let offset = 0; offset < puts.length; offset += 250) jobs.push(puts.slice(offset, offset + 250));
  const worker = async (): Promise<void> => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) await batchWriteItems(documents, table, job);
  };
  try {
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    client.destroy();
  }
  return { paid, seconds: (performance.now() - began) / 1000 };
}

const paragraph = (topic: string, n: number): string =>
  `${topic}, paragraph ${n}: the operator's filing lists three unplanned outages, each longer than the last, and a ` +
  `repair schedule that slipped twice. Regional load data show the reserve margin falling below the regulator's ` +
  `threshold on four evenings, and the maintenance log names the same relay bay each time.`;

/** Two complimentary and two subscriber reports (with a paywall marker), published now through the API. */
async function publishReports(stack: BenchStack): Promise<number> {
  const reports = [
    ['complimentary', 'Tariff review opens for the Marren coastal grid'],
    ['subscriber', 'Substation outages ripple through the Kestrel Valley network'],
    ['complimentary', 'Harbour dues rise at three northern ports'],
    ['subscriber', 'Ship-to-ship transfers resume off the Varna anchorage'],
  ] as const;
  for (const [index, [tier, title]] of reports.entries()) {
    const body = [1, 2, 3, 4, 5, 6].map((n) => paragraph(title, n));
    if (tier === 'subscriber') body.splice(2, 0, '<!-- paywall -->');
    const response = await api(stack, '/api/reports', {
      method: 'POST',
      json: {
        title,
        summary: `${title}: what the filings show and what happens next.`,
        body: body.join('\n\n'),
        tier,
        series: index % 2 === 0 ? 'grid-watch' : 'harbour-ledger',
        tags: ['bench', tier],
        authors: ['Ines Varga'],
      },
    });
    if (response.status !== 201)
      throw new Error(`Publishing report ${index} failed: ${response.status} ${await response.text()}`);
  }
  return reports.length;
}

/** Lets the feed rebuilds the submits caused finish: a cheap GET answering quickly twice in a row. */
async function waitIdle(stack: BenchStack): Promise<void> {
  let quick = 0;
  const deadline = Date.now() + 60_000;
  while (quick < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const began = performance.now();
    await (await api(stack, '/api/reports?limit=1')).arrayBuffer();
    quick = performance.now() - began < 30 ? quick + 1 : 0;
  }
}

async function api(stack: BenchStack, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  return fetch(`${stack.endpoints.api}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${stack.adminToken}`,
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
}

/* ---------- The timed edition ---------- */

interface EditionView {
  id: string;
  status: string;
  recipients?: number;
  sent: number;
  failed: number;
  suppressed: number;
  unknown: number;
}

interface RunInput {
  readers: number;
  paid: number;
  seedSeconds: number;
  reports: number;
  probeDir: string;
}

interface EditionRun {
  figures: EditionPipelineFigures;
  /** First to last mail, on the monotonic clock CPU profiles are stamped with. */
  sendWindowUs: { fromUs: number; toUs: number };
  mailsInSendWindow: number;
}

async function runEdition(stack: BenchStack, input: RunInput, log: (line: string) => void): Promise<EditionRun> {
  const { readers, probeDir } = input;
  const samples: CpuSample[] = [await cpuSample(stack.pid)];
  const triggeredAt = Date.now();
  const response = await api(stack, '/api/digests', { method: 'POST' });
  if (response.status !== 202)
    throw new Error(`POST /api/digests answered ${response.status}: ${await response.text()}`);
  const acceptedAt = Date.now();
  const editionId = ((await response.json()) as EditionView).id;
  log(`edition: ${editionId} accepted in ${acceptedAt - triggeredAt} ms; sending at ${SEND_RATE}/s…`);

  // Generous (the machine may be shared): twenty times the ideal send time; two minutes without progress is a stall.
  const deadline = triggeredAt + 120_000 + (readers / SEND_RATE) * 20_000;
  let view: EditionView | undefined;
  let lastProgress = { at: Date.now(), mark: '' };
  let lastLog = Date.now();
  let finalStatusSeen = Number.NaN;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    samples.push(await cpuSample(stack.pid));
    const poll = await api(stack, `/api/digests/${editionId}`);
    if (poll.status !== 200) throw new Error(`GET /api/digests/${editionId} answered ${poll.status}`);
    view = (await poll.json()) as EditionView;
    if (FINAL_STATUSES.has(view.status)) {
      finalStatusSeen = Date.now();
      break;
    }
    const mark = `${view.status}|${view.sent}|${view.failed}|${view.unknown}`;
    if (mark !== lastProgress.mark) lastProgress = { at: Date.now(), mark };
    if (Date.now() - lastProgress.at > 120_000) {
      log(`edition: no progress for 2 min (${mark}); giving up`);
      break;
    }
    if (Date.now() - lastLog >= 10_000) {
      lastLog = Date.now();
      log(`edition: ${view.status}, ${view.sent} sent after ${((Date.now() - triggeredAt) / 1000).toFixed(0)} s`);
    }
  }
  if (!view) throw new Error('The edition was never read back');
  log(`edition: ${view.status} (${view.sent} sent, ${view.unknown} unknown, ${view.failed} failed)`);

  // The probe rewrites its files once a second: give it one more round after the last mail.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const journal = (await readJournal(join(probeDir, SES_JOURNAL))).filter((line) => line.edition === editionId);
  const store = JSON.parse(await readFile(join(probeDir, SES_STORE_SUMMARY), 'utf8')) as SesStoreSummary;
  const { main, worker } = await readProbeDumps(probeDir);
  const [openClaims, unknownListed] = await Promise.all([
    deliveriesWith(stack, editionId, 'sending'),
    deliveriesWith(stack, editionId, 'unknown'),
  ]);

  if (journal.length === 0) throw new Error(`No mail of edition ${editionId} reached the SES emulator`);
  const times = journal.map((line) => line.t).sort((a, b) => a - b);
  const firstMail = times[0] as number;
  const lastMail = times[times.length - 1] as number;
  const sendSeconds = (lastMail - firstMail) / 1000;
  const perRecipientCount = new Map<string, number>();
  for (const line of journal) for (const to of line.to) perRecipientCount.set(to, (perRecipientCount.get(to) ?? 0) + 1);
  const duplicates = [...perRecipientCount.values()].filter((count) => count > 1).length;
  const endToEndSeconds = (lastMail - triggeredAt) / 1000;
  const recipientsPerSecond = readers / endToEndSeconds;

  const op = (name: string): OpStats | undefined => worker.ops[name];
  const since = (t: number | undefined): number => (t === undefined ? Number.NaN : round(t - triggeredAt));
  const sendWindow = { from: firstMail, to: lastMail };
  const cpuFrom = nearest(samples, firstMail);
  const cpuTo = nearest(samples, lastMail);
  const cpu = cpuBetween(cpuFrom, cpuTo, cpus().length, stack.pid);
  // Mails accepted between the two CPU samples, so CPU per mail divides like by like.
  const mailsInCpuWindow = times.filter((t) => t > cpuFrom.t && t <= cpuTo.t).length;
  const perMail = (cpuSeconds: number): number => round((cpuSeconds * 1000) / Math.max(1, mailsInCpuWindow), 2);
  const deliver = op('sender.deliver');
  const sesStore = store.editions[editionId] ?? { mails: 0, recipients: 0 };
  const counters = { sent: view.sent, failed: view.failed, suppressed: view.suppressed, unknown: view.unknown };
  const deadLetters = stack.deadLetterLines().length;

  const figures: EditionPipelineFigures = {
    editionRecipientsPerSecond: round(recipientsPerSecond, 1),
    editionRateRatio: round(recipientsPerSecond / SEND_RATE, 3),
    sendRatePerSecond: SEND_RATE,
    readers,
    paidReaders: input.paid,
    reports: input.reports,
    seedSeconds: round(input.seedSeconds, 1),
    editionId,
    timeline: {
      accepted: acceptedAt - triggeredAt,
      planStart: since(op('planner.plan')?.firstStart),
      compiled: since(op('compiled.put')?.lastEnd),
      lastQueueSend: since(op('queue.sendAll')?.lastEnd),
      planEnd: since(op('planner.plan')?.lastEnd),
      firstMail: round(firstMail - triggeredAt),
      lastMail: round(lastMail - triggeredAt),
      finalStatusSeen: round(finalStatusSeen - triggeredAt),
    },
    sendPhase: {
      seconds: round(sendSeconds, 2),
      recipientsPerSecond: round(journal.length / sendSeconds, 1),
      steadyRecipientsPerSecond: round(steadyRate(times), 1),
      perSecond: perSecond(times, firstMail),
      meanMailKB: round(journal.reduce((sum, line) => sum + line.bytes, 0) / journal.length / 1024, 1),
    },
    perRecipient: perRecipientBreakdown(worker, deliver),
    perMessage: Object.fromEntries(
      timedOps(worker, MESSAGE_OPS).map(([name, stats]) => [
        name,
        {
          mean: round(stats.totalMs / stats.count, 1),
          p95: round(percentile(stats.samples, 95), 1),
          count: stats.count,
        },
      ]),
    ),
    planner: Object.fromEntries(
      timedOps(worker, PLANNER_OPS).map(([name, stats]) => [
        name,
        { count: stats.count, totalMs: round(stats.totalMs) },
      ]),
    ),
    recipientsInFlight: deliver ? round(deliver.totalMs / (lastMail - firstMail), 2) : Number.NaN,
    eventLoopUtilisation: { main: meanElu(main, sendWindow), worker: meanElu(worker, sendWindow) },
    cores: {
      available: cpus().length,
      machine: round(cpu.machine, 2),
      stack: round(cpu.stack, 2),
      bench: round(cpu.bench, 2),
      other: round(cpu.other, 2),
    },
    cpuMsPerMail: {
      main: perMail(cpu.threads.main.run),
      consumers: perMail(cpu.threads.consumers.run),
      rest: perMail(cpu.threads.rest.run),
      total: perMail(cpu.threads.main.run + cpu.threads.consumers.run + cpu.threads.rest.run),
    },
    cpuWaitShare: {
      main: round(cpu.threads.main.wait / cpu.seconds, 3),
      consumers: round(cpu.threads.consumers.wait / cpu.seconds, 3),
    },
    feedbackPoller: {
      passes: main.ops['feedbackPoller.pass']?.count ?? 0,
      totalMs: round(main.ops['feedbackPoller.pass']?.totalMs ?? 0),
      maxMs: round(main.ops['feedbackPoller.pass']?.maxMs ?? 0),
    },
    ses: { sendEmailRequests: main.counters.sesSendEmailRequests ?? 0, connections: main.counters.sesConnections ?? 0 },
    errors: worker.errors,
    verification: {
      status: view.status,
      counters,
      sesInboxMails: sesStore.mails,
      sesInboxRecipients: sesStore.recipients,
      journalMails: journal.length,
      duplicateRecipients: duplicates,
      readersWithoutMail: readers - perRecipientCount.size,
      openClaims,
      unknownListed,
      deadLetters,
      ok:
        view.status === 'sent' &&
        counters.sent === readers &&
        sesStore.mails === readers &&
        sesStore.recipients === readers &&
        journal.length === readers &&
        duplicates === 0 &&
        openClaims === 0 &&
        unknownListed === 0 &&
        deadLetters === 0,
    },
  };
  // Epoch → monotonic microseconds, read together once: both clocks advance alike over a run of minutes.
  const offsetUs = Date.now() * 1000 - monotonicMicros();
  return {
    figures,
    sendWindowUs: { fromUs: firstMail * 1000 - offsetUs, toUs: lastMail * 1000 - offsetUs },
    mailsInSendWindow: journal.length,
  };
}

async function readJournal(file: string): Promise<SesAcceptLine[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SesAcceptLine);
}

/** The main thread's dump and the worker's (the one whose timers ran: the consumers' thread). */
async function readProbeDumps(dir: string): Promise<{ main: ProbeDump; worker: ProbeDump }> {
  const dumps = await Promise.all(
    (await readdir(dir))
      .filter((name) => name.startsWith('probe-') && name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as ProbeDump),
  );
  const main = dumps.find((dump) => dump.thread === 'main');
  const worker = dumps
    .filter((dump) => dump.thread === 'worker')
    .sort((a, b) => Object.keys(b.ops).length - Object.keys(a.ops).length)[0];
  if (!main || !worker) throw new Error(`The probe wrote no ${main ? 'worker' : 'main'} thread dump in ${dir}`);
  return { main, worker };
}

async function deliveriesWith(stack: BenchStack, editionId: string, outcome: string): Promise<number> {
  const response = await api(stack, `/api/digests/${editionId}/deliveries?outcome=${outcome}`);
  if (response.status !== 200) throw new Error(`Listing ${outcome} deliveries answered ${response.status}`);
  return ((await response.json()) as { count: number }).count;
}

function perRecipientBreakdown(
  worker: ProbeDump,
  deliver: OpStats | undefined,
): EditionPipelineFigures['perRecipient'] {
  const deliverMean = deliver ? deliver.totalMs / deliver.count : Number.NaN;
  return Object.fromEntries(
    timedOps(worker, RECIPIENT_STEPS).map(([label, stats]) => {
      const mean = stats.totalMs / stats.count;
      return [
        label,
        {
          mean: round(mean, 2),
          p50: round(percentile(stats.samples, 50), 2),
          p95: round(percentile(stats.samples, 95), 2),
          max: round(stats.maxMs, 1),
          count: stats.count,
          shareOfDeliver: round(mean / deliverMean, 3),
        },
      ];
    }),
  );
}

/** The sender's steps for one recipient, in its order (see `MailSender.deliver`), as the probe names them. */
const RECIPIENT_STEPS = [
  ['pacing (token bucket slot)', 'mailer.slot'],
  ['status GetItem', 'editions.sendState'],
  ['claim PutItem', 'deliveries.claimDelivery'],
  ['SES SendEmail', 'mailer.sendOnce'],
  ['result UpdateItem', 'deliveries.finishDelivery'],
  ['deliver (whole recipient)', 'sender.deliver'],
] as const;
const named = (names: readonly string[]) => names.map((name) => [name, name] as const);
const MESSAGE_OPS = named([
  'sender.send',
  'editions.getEdition',
  'deliveries.getDeliveries',
  'subscribers.getMany',
  'editions.count',
]);
const PLANNER_OPS = named([
  'planner.plan',
  'planner.compileGuarded',
  'compiled.put',
  'recipients.activePage',
  'queue.sendAll',
  'editions.recordPlannedPage',
]);

/** The ops of `entries` the probe saw, under their labels. */
function timedOps(dump: ProbeDump, entries: readonly (readonly [string, string])[]): [string, OpStats][] {
  const found: [string, OpStats][] = [];
  for (const [label, name] of entries) {
    const stats = dump.ops[name];
    if (stats) found.push([label, stats]);
  }
  return found;
}

function steadyRate(times: readonly number[]): number {
  const low = Math.floor(times.length * 0.1);
  const high = Math.floor(times.length * 0.9);
  const from = times[low];
  const to = times[high];
  if (from === undefined || to === undefined || to <= from) return Number.NaN;
  return (high - low) / ((to - from) / 1000);
}

function perSecond(times: readonly number[], first: number): number[] {
  const buckets: number[] = [];
  for (const t of times) {
    const second = Math.floor((t - first) / 1000);
    while (buckets.length <= second) buckets.push(0);
    buckets[second] = (buckets[second] ?? 0) + 1;
  }
  return buckets;
}

function meanElu(dump: ProbeDump, window: { from: number; to: number }): number {
  const inside = dump.elu.filter((entry) => entry.t > window.from && entry.t <= window.to + 1_000);
  if (inside.length === 0) return Number.NaN;
  return round(inside.reduce((sum, entry) => sum + entry.utilization, 0) / inside.length, 3);
}

function nearest(samples: readonly CpuSample[], t: number): CpuSample {
  let best = samples[0];
  if (!best) throw new Error('No CPU samples');
  for (const sample of samples) if (Math.abs(sample.t - t) < Math.abs(best.t - t)) best = sample;
  return best;
}
