import { freePorts } from '../fixtures/free-ports';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

/**
 * Fault campaign (issue 10, item 6): the whole local stack as a child process, exactly as `npm start` runs it
 * (`node --import tsx local/main.ts`, plus the test-only SES tap preload, see ses-tap.mjs), SIGKILLed at seeded
 * random moments while an edition is planned and sent, restarted on the same data dir and ports each time, with
 * a share of SES calls throttled. Afterwards every reader's mails (from the tap's journal, exact across kills)
 * are set against the delivery records and the edition's own account.
 */

export interface CampaignOptions {
  readers: number;
  kills: number;
  throttleRate: number;
  seed: number;
  log: (line: string) => void;
  /**
   * After the last restart, how long to keep waiting for a final status (`sent`/`sent-with-gaps`) once nothing
   * moves any more (no SES call, no counter change). @default 300_000
   */
  finalTimeoutMs?: number;
  /**
   * Stop waiting as soon as every reader has a final delivery record or a claim a kill left `sending` (those
   * need the 60 s lease and, locally, the 2 min reconciliation to be counted). For the short test. @default false
   */
  stopWhenQuiescent?: boolean;
  /** Kills aimed at planning (a restarted planner starts over, so each costs seconds). @default ceil(kills / 3) */
  planningKills?: number;
  /** Share of paid readers. @default 0.2 */
  paidShare?: number;
  /** Keep the temp data dir (logs, journals, dynalite) for inspection. @default false */
  keepDataDir?: boolean;
}

export interface KillRecord {
  n: number;
  /** ms since the edition was requested. */
  atMs: number;
  /** The edition's status read right before the kill. */
  phase: string;
  /** How long this life of the stack had been up (healthy) when it was killed. */
  uptimeMs: number;
  /** The edition's `sent` counter right before the kill. */
  sentCounter: number;
  /** Readers SES had accepted a mail of this edition for, right before the kill (tap journal). */
  mailedBefore: number;
  /** SendEmail requests the SES emulator had received but not answered (from the tap journal). */
  sesInFlight: number;
  /** Delivery records this kill left `sending` (claimed before it, not left by an earlier kill): unknown outcomes. */
  openClaims: number;
  /** ms from the kill until the restarted stack answered /api/health. */
  restartMs: number;
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Tally {
  seed: number;
  readers: number;
  paidReaders: number;
  throttleRate: number;
  killsRequested: number;
  kills: number;
  killLog: KillRecord[];
  editionId: string;
  /** Mails of this edition SES accepted (answered 200), summed over readers. */
  mails: number;
  exactlyOne: number;
  /** Readers with no mail at all (lost, or an unknown outcome whose SES call never got through). */
  zeroMails: number;
  /** Readers with 0 mails that are not listed as unknown (nor still pending as a killed claim before the end). */
  lost: string[];
  /** Readers with more than one mail. */
  duplicates: string[];
  /** `GET /api/digests/{id}/deliveries?outcome=unknown`. */
  unknownListed: string[];
  /** Of those, readers who did get the mail (SES answered, the kill came before it was recorded). */
  unknownWithMail: number;
  /** Claims a kill left `sending`, not yet turned `unknown` when the campaign stopped waiting. */
  pendingUnknown: string[];
  /** Of those, readers who did get the mail. */
  pendingWithMail: number;
  /** `sent` records without a matching accepted mail (a record claiming a send SES never answered). */
  phantomSent: string[];
  readersWithoutRecord: number;
  ses: {
    calls: number;
    accepted: number;
    throttled: number;
    errors: number;
    inFlightAtKills: number[];
  };
  openClaimsAtKills: number[];
  /** Cross-check of the tap against the emulator's own inbox (`GET /store`, polled; lost on each kill). */
  polling: { seen: number; notInTap: number; missedByPolling: number };
  /** Mail-queue records the local stack dead-lettered (its log lines). */
  deadLetters: number;
  /** Edition statuses observed while polling, in order, without repeats. */
  statusTrail: string[];
  edition: Record<string, unknown>;
  final: boolean;
  quiescent: boolean;
  elapsedMs: { total: number; setup: number; untilLastRestart: number; settle: number };
  dataDir?: string;
  invariants: Invariant[];
  ok: boolean;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TAP = fileURLToPath(new URL('./ses-tap.mjs', import.meta.url));
const FINAL_STATUSES = ['sent', 'sent-with-gaps', 'cancelled'];
const RECORD_FINAL = ['sent', 'failed', 'suppressed', 'unknown', 'not-sent'];
/** Time a restarted stack needs before its first send (worker thread, handler cold start). */
const WARM_UP_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** mulberry32: the campaign's one source of randomness, so a seed replays the same kill schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/* ---------- The stack as a child process ---------- */

const livePids = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // If the campaign itself dies (test timeout, Ctrl-C), it takes its stack with it.
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

class StackProcess {
  life = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private alive = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly dataDir: string,
    private readonly apiUrl: string,
  ) {}

  /** Starts a new life of the stack (same data dir and ports); tries again if it exits while starting. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.startOnce();
      } catch (error) {
        // A port of ours briefly taken by someone else's ephemeral socket is the usual reason; the log says.
        if (attempt >= 3 || this.alive) throw error;
        await sleep(1_000);
      }
    }
  }

  private async startOnce(): Promise<void> {
    this.life += 1;
    const out = openSync(join(this.dataDir, `stack-${this.life}.log`), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', TAP, 'local/main.ts'], {
      cwd: ROOT,
      env: { ...this.env, DISPATCH_FAULTS_LIFE: String(this.life) },
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    if (child.pid === undefined) throw new Error('the stack did not start');
    const pid = child.pid;
    livePids.add(pid);
    this.child = child;
    this.alive = true;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.alive = false;
        livePids.delete(pid);
        resolve();
      }),
    );
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`the stack exited during start (see ${this.dataDir}/stack-${this.life}.log)`);
      try {
        const response = await fetch(`${this.apiUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error('the stack did not answer /api/health within 90 s');
  }

  /** SIGKILL to the whole process group: no handler runs, nothing is flushed. */
  async kill(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined || !this.alive) return;
    process.kill(-pid, 'SIGKILL');
    await this.exited;
  }

  /** A clean stop (SIGTERM, as Ctrl-C), falling back to SIGKILL. */
  async stop(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined || !this.alive) return;
    process.kill(-pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (this.alive) process.kill(-pid, 'SIGKILL');
    }, 25_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/* ---------- The SES tap's journal ---------- */

interface TapLine {
  op: 'begin' | 'accept' | 'throttled' | 'error';
  id: string;
  life: number;
  t: number;
  messageId?: string;
  to?: string[];
  edition?: string;
  status?: number;
}

async function readTap(file: string): Promise<TapLine[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const lines: TapLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as TapLine);
    } catch {
      // a torn last line would be a write cut by the kill; writeSync of one short line does not tear
    }
  }
  return lines;
}

function mailedReaders(lines: readonly TapLine[], editionId: string): number {
  const readers = new Set<string>();
  for (const line of lines) {
    if (line.op === 'accept' && line.edition === editionId) for (const to of line.to ?? []) readers.add(to);
  }
  return readers.size;
}

function inFlight(lines: readonly TapLine[], life: number): number {
  const open = new Set<string>();
  for (const line of lines) {
    if (line.life !== life) continue;
    if (line.op === 'begin') open.add(line.id);
    else open.delete(line.id);
  }
  return open.size;
}

/* ---------- The campaign ---------- */

interface EditionView {
  id: string;
  status: string;
  reason?: string;
  recipients?: number;
  remaining?: number;
  sent: number;
  failed: number;
  suppressed: number;
  unknown: number;
  notSent: number;
  [key: string]: unknown;
}

interface DeliveryItem {
  email?: string;
  status: string;
  claimedAt: string;
  messageId?: string;
}

export async function runCampaign(options: CampaignOptions): Promise<Tally> {
  const { readers, kills, throttleRate, seed, log } = options;
  const finalTimeoutMs = options.finalTimeoutMs ?? 300_000;
  const paidShare = options.paidShare ?? 0.2;
  const random = seededRandom(seed);
  const started = Date.now();
  installExitHook();

  const cdk = JSON.parse(await readFile(join(ROOT, 'cdk.json'), 'utf8')) as {
    context: { dispatch: { sendRatePerSecond: number } };
  };
  const sendRate = cdk.context.dispatch.sendRatePerSecond;

  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-faults-'));
  const [apiPort, sesPort, dynamodbPort, s3Port, sqsPort] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const sesUrl = `http://127.0.0.1:${sesPort}`;
  const tapFile = join(dataDir, 'ses-tap.jsonl');
  const stack = new StackProcess(
    {
      ...process.env,
      DISPATCH_DATA_DIR: dataDir,
      DISPATCH_PORT: String(apiPort),
      DISPATCH_SES_PORT: String(sesPort),
      DISPATCH_DYNAMODB_PORT: String(dynamodbPort),
      DISPATCH_S3_PORT: String(s3Port),
      DISPATCH_SQS_PORT: String(sqsPort),
      DISPATCH_FAULTS_SES_JOURNAL: tapFile,
      DISPATCH_FAULTS_THROTTLE_RATE: String(throttleRate),
      DISPATCH_FAULTS_SEED: String(seed),
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    },
    dataDir,
    apiUrl,
  );
  log(`data dir ${dataDir}; API ${apiUrl}; SES ${sesUrl}; seed ${seed}`);

  let dynamo: DynamoDBClient | undefined;
  try {
    await stack.start();
    let upSince = Date.now();
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    const endpoints = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as {
      dynamodb: string;
      region: string;
      tables: Record<string, string>;
    };
    const digestsTable = endpoints.tables.Digests;
    if (!digestsTable) throw new Error('endpoints.json names no Digests table');
    dynamo = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: endpoints.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 5,
    });
    const documents = DynamoDBDocumentClient.from(dynamo);

    const api = async (path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> =>
      fetch(`${apiUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
        signal: AbortSignal.timeout(60_000),
      });

    /* Readers, with bounded concurrency. */
    const emails = Array.from(
      { length: readers },
      (_, index) => `reader-${String(index).padStart(5, '0')}-${seed % 100_000}@faults.test`,
    );
    // Spread evenly: reader i is paid when the running share crosses a whole number.
    const paid = new Set(
      emails.filter((_, index) => Math.floor((index + 1) * paidShare) > Math.floor(index * paidShare)),
    );
    let added = 0;
    const queue = [...emails];
    const adder = async (): Promise<void> => {
      for (let email = queue.shift(); email !== undefined; email = queue.shift()) {
        for (let attempt = 1; ; attempt += 1) {
          try {
            const response = await api(`/api/subscribers/${encodeURIComponent(email)}`, {
              method: 'PUT',
              json: { tier: paid.has(email) ? 'paid' : 'free', status: 'active' },
            });
            if (response.status === 200 || response.status === 201) break;
            throw new Error(`PUT subscriber answered ${response.status}: ${await response.text()}`);
          } catch (error) {
            if (attempt >= 3) throw error;
            await sleep(200 * attempt);
          }
        }
        added += 1;
        if (added % 1000 === 0 && added < readers) log(`${added} readers added`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, readers) }, adder));
    log(`${readers} readers added (${paid.size} paid)`);

    /* Two reports, listed by the stream publisher before the edition is asked for. */
    const titles = [`Fault campaign ${seed} open note`, `Fault campaign ${seed} subscriber note`];
    const submissions = [
      {
        title: titles[0],
        summary: 'A complimentary note for the fault campaign.',
        body: 'The first public paragraph of the campaign note.\n\nThe second public paragraph.',
        tier: 'complimentary',
        series: 'grid-watch',
        tags: ['faults'],
      },
      {
        title: titles[1],
        summary: 'A subscriber note for the fault campaign.',
        body: `Public opening of the subscriber note.\n\nA second public paragraph.\n\n<!-- paywall -->\n\nSubscriber-only finding number ${seed} from the campaign desk.`,
        tier: 'subscriber',
        series: 'grid-watch',
        tags: ['faults'],
      },
    ];
    for (const json of submissions) {
      const response = await api('/api/reports', { method: 'POST', json });
      if (response.status !== 201) throw new Error(`POST /api/reports answered ${response.status}`);
    }
    const listedBy = Date.now() + 60_000;
    for (;;) {
      const feed = await (await fetch(`${apiUrl}/feeds/rss.xml`)).text().catch(() => '');
      if (titles.every((title) => title && feed.includes(title))) break;
      if (Date.now() > listedBy) throw new Error('the reports were not listed in /feeds/rss.xml within 60 s');
      await sleep(250);
    }
    log('both reports are listed');

    /* Observation while the stack is up: edition status trail and the emulator's inbox (cross-check only). */
    const statusTrail: string[] = [];
    let lastEdition: EditionView | undefined;
    const polled = new Map<string, { to: string[]; edition?: string }>();
    let storeSince = 0;
    const pollStore = async (): Promise<void> => {
      try {
        const since = storeSince;
        const response = await fetch(`${sesUrl}/store?since=${since}`, { signal: AbortSignal.timeout(5_000) });
        const { emails: stored } = (await response.json()) as {
          emails: {
            messageId: string;
            destination: { to: string[] };
            headers?: { name: string; value: string }[];
            at: number;
          }[];
        };
        for (const mail of stored) {
          const edition = mail.headers?.find((header) => header.name === 'X-Dispatch-Edition')?.value;
          // Keyed by id and recipients: the emulator's MessageIds are 9 random digits and do collide in 10,000.
          polled.set(`${mail.messageId}|${mail.destination.to.join(',')}`, {
            to: mail.destination.to,
            ...(edition ? { edition } : {}),
          });
          storeSince = Math.max(storeSince, mail.at - 1);
        }
      } catch {
        // the stack is down or busy: the tap is the count, this is a cross-check
      }
    };

    let editionId = '';
    const readEdition = async (): Promise<EditionView | undefined> => {
      try {
        const response = await api(`/api/digests/${editionId}`);
        if (response.status !== 200) return undefined;
        const edition = (await response.json()) as EditionView;
        if (statusTrail.at(-1) !== edition.status) statusTrail.push(edition.status);
        lastEdition = edition;
        return edition;
      } catch {
        return undefined;
      }
    };
    /** Sleeps `ms` while watching the edition and the inbox; returns early once the edition is final. */
    /** Sleeps `ms` while watching the edition and the inbox; returns early once the edition is final or `until`. */
    const watch = async (ms: number, until?: (edition: EditionView) => boolean): Promise<void> => {
      const deadline = Date.now() + ms;
      let nextStorePoll = 0;
      while (Date.now() < deadline) {
        const edition = await readEdition();
        if (edition && (FINAL_STATUSES.includes(edition.status) || until?.(edition))) return;
        if (Date.now() >= nextStorePoll) {
          await pollStore();
          nextStorePoll = Date.now() + 500;
        }
        await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
      }
    };

    const setupMs = Date.now() - started;
    const asked = await api('/api/digests', { method: 'POST' });
    if (asked.status !== 202) throw new Error(`POST /api/digests answered ${asked.status}: ${await asked.text()}`);
    editionId = ((await asked.json()) as { id: string }).id;
    const editionAskedAt = Date.now();
    log(`edition ${editionId} requested`);

    /* Kills. */
    const killLog: KillRecord[] = [];
    const openClaimSets: Set<string>[] = [];
    const everOpen = new Set<string>();
    let lastKillAt = 0;
    const effectiveRate = sendRate * (1 - throttleRate);
    // The first kill (about a third of them by default) hits planning, the rest sending.
    const maxPlanningKills = Math.max(1, options.planningKills ?? Math.ceil(kills / 3));
    let planningKills = 0;
    for (let n = 1; n <= kills; n += 1) {
      const before = n === 1 ? lastEdition : await readEdition();
      if (before && FINAL_STATUSES.includes(before.status)) {
        log(`edition is ${before.status} before kill ${n}: no more kills`);
        break;
      }
      let delay: number;
      if ((!before || before.status === 'planning') && planningKills < maxPlanningKills) {
        planningKills += 1;
        delay = (n === 1 ? 0 : WARM_UP_MS) + 50 + random() * 1_150;
      } else {
        // The rest of the kills are for sending: a restarted planner may take a while to finish.
        await watch(120_000, (edition) => edition.status !== 'planning');
        // The counters lag (one ADD per queue message, and a kill can leave them short): the tap knows better.
        const remaining = readers - mailedReaders(await readTap(tapFile), editionId);
        const estimateMs = (remaining / effectiveRate) * 1000;
        delay = WARM_UP_MS + random() * Math.max(500, estimateMs / (kills - n + 1.5));
      }
      await watch(delay);
      const phaseEdition = await readEdition();
      if (phaseEdition && FINAL_STATUSES.includes(phaseEdition.status)) {
        log(`edition became ${phaseEdition.status} before kill ${n}: no more kills`);
        break;
      }
      await pollStore();
      const mailedBefore = mailedReaders(await readTap(tapFile), editionId);
      const killAt = Date.now();
      const uptimeMs = killAt - upSince;
      await stack.kill();
      const killedLife = stack.life;
      await stack.start();
      upSince = Date.now();
      const restartMs = upSince - killAt;
      const sesInFlight = inFlight(await readTap(tapFile), killedLife);
      // Claims taken before the kill and still `sending`: nothing but the lease rule can finish them now.
      const sending = await api(`/api/digests/${editionId}/deliveries?outcome=sending`);
      const open = new Set(
        sending.status === 200
          ? ((await sending.json()) as { deliveries: { email: string; claimedAt: string }[] }).deliveries
              .filter((delivery) => Date.parse(delivery.claimedAt) <= killAt)
              .map((delivery) => delivery.email)
          : [],
      );
      const fresh = new Set([...open].filter((email) => !everOpen.has(email)));
      for (const email of open) everOpen.add(email);
      openClaimSets.push(fresh);
      lastKillAt = killAt;
      const record: KillRecord = {
        n,
        atMs: killAt - editionAskedAt,
        phase: phaseEdition?.status ?? 'unknown',
        uptimeMs,
        sentCounter: phaseEdition?.sent ?? 0,
        mailedBefore,
        sesInFlight,
        openClaims: fresh.size,
        restartMs,
      };
      killLog.push(record);
      log(
        `kill ${n} at +${(record.atMs / 1000).toFixed(1)} s (${record.phase}, ${mailedBefore} mailed, counter ${record.sentCounter}, up ${(uptimeMs / 1000).toFixed(1)} s): ${sesInFlight} SES call(s) in flight, ${fresh.size} claim(s) left sending; back in ${(restartMs / 1000).toFixed(1)} s`,
      );
    }
    const lastRestartAt = Date.now();

    /* Settle: a final status, or (short runs) every reader accounted for but the killed claims. */
    const readRecords = async (): Promise<Map<string, DeliveryItem>> => {
      const found = new Map<string, DeliveryItem>();
      let start: Record<string, unknown> | undefined;
      do {
        const page: QueryCommandOutput = await documents.send(
          new QueryCommand({
            TableName: digestsTable,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :to)',
            ExpressionAttributeValues: { ':pk': `EDITION#${editionId}`, ':to': 'TO#' },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const delivery = item as DeliveryItem;
          if (delivery.email) found.set(delivery.email, delivery);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return found;
    };
    const isQuiescent = (records: Map<string, DeliveryItem>): boolean =>
      emails.every((email) => {
        const record = records.get(email);
        if (!record) return false;
        if (RECORD_FINAL.includes(record.status)) return true;
        return record.status === 'sending' && Date.parse(record.claimedAt) <= lastKillAt;
      });

    let final = false;
    let quiescent = false;
    // Mail still going out (the tap's journal growing) or counters moving is progress: a large edition whose last
    // kill came early still has minutes of sending ahead. The hard cap guards against endless throttling loops.
    const hardCap = Date.now() + finalTimeoutMs + 3 * (readers / effectiveRate) * 1000;
    let lastProgressAt = Date.now();
    let progressMark = '';
    let nextProgress = Date.now() + 15_000;
    while (Date.now() - lastProgressAt < finalTimeoutMs && Date.now() < hardCap) {
      const edition = await readEdition();
      const tapSize = await stat(tapFile).then(
        (info) => info.size,
        () => 0,
      );
      const mark = `${tapSize}|${edition ? [edition.status, edition.sent, edition.unknown, edition.failed].join('|') : ''}`;
      if (mark !== progressMark) {
        progressMark = mark;
        lastProgressAt = Date.now();
      }
      if (edition && FINAL_STATUSES.includes(edition.status)) {
        final = true;
        break;
      }
      if (options.stopWhenQuiescent && isQuiescent(await readRecords())) {
        quiescent = true;
        break;
      }
      if (Date.now() >= nextProgress) {
        log(
          `waiting: ${edition?.status ?? '?'}, remaining ${edition?.remaining ?? '?'}, sent ${edition?.sent ?? '?'}, unknown ${edition?.unknown ?? '?'}`,
        );
        nextProgress = Date.now() + 15_000;
      }
      await pollStore();
      await sleep(1_000);
    }
    const settleMs = Date.now() - lastRestartAt;
    await pollStore();
    const edition = (await readEdition()) ?? lastEdition;
    if (!edition) throw new Error('the edition could not be read');
    const records = await readRecords();
    if (!quiescent && !final) quiescent = isQuiescent(records);
    const unknownResponse = await api(`/api/digests/${editionId}/deliveries?outcome=unknown`);
    const unknownListed = ((await unknownResponse.json()) as { deliveries: { email: string }[] }).deliveries.map(
      (delivery) => delivery.email,
    );
    const listed = new Set(unknownListed);

    /* Tally per reader. */
    const tap = await readTap(tapFile);
    const mailsTo = new Map<string, string[]>();
    let calls = 0;
    let accepted = 0;
    let throttled = 0;
    let errors = 0;
    for (const line of tap) {
      if (line.op === 'begin') calls += 1;
      else if (line.op === 'throttled') throttled += 1;
      else if (line.op === 'error') errors += 1;
      else if (line.op === 'accept') {
        accepted += 1;
        if (line.edition !== editionId) continue;
        for (const to of line.to ?? []) mailsTo.set(to, [...(mailsTo.get(to) ?? []), line.messageId ?? '?']);
      }
    }
    const tapKeys = new Set(
      tap.filter((line) => line.op === 'accept').map((line) => `${line.messageId}|${(line.to ?? []).join(',')}`),
    );
    const polledOfEdition = [...polled.entries()].filter(([, mail]) => mail.edition === editionId);
    const notInTap = polledOfEdition.filter(([key]) => !tapKeys.has(key)).length;
    const polledKeys = new Set(polledOfEdition.map(([key]) => key));
    const missedByPolling = [...mailsTo.entries()]
      .flatMap(([to, ids]) => ids.map((id) => `${id}|${to}`))
      .filter((key) => !polledKeys.has(key)).length;

    const lost: string[] = [];
    const duplicates: string[] = [];
    const pendingUnknown: string[] = [];
    const phantomSent: string[] = [];
    let exactlyOne = 0;
    let zeroMails = 0;
    let mails = 0;
    let unknownWithMail = 0;
    let pendingWithMail = 0;
    let readersWithoutRecord = 0;
    for (const email of emails) {
      const got = mailsTo.get(email) ?? [];
      const record = records.get(email);
      mails += got.length;
      if (!record) readersWithoutRecord += 1;
      if (got.length === 1) exactlyOne += 1;
      if (got.length === 0) zeroMails += 1;
      if (got.length > 1) duplicates.push(email);
      const pending =
        !final && record?.status === 'sending' && Date.parse(record.claimedAt) <= lastKillAt && everOpen.has(email);
      if (pending) pendingUnknown.push(email);
      if (pending && got.length > 0) pendingWithMail += 1;
      if (got.length === 0 && !listed.has(email) && !pending) lost.push(email);
      if (listed.has(email) && got.length > 0) unknownWithMail += 1;
      if (record?.status === 'sent' && (got.length !== 1 || got[0] !== record.messageId)) phantomSent.push(email);
    }

    const deadLetters = await countDeadLetters(dataDir, stack.life);
    const trailSent = statusTrail.includes('sent');
    const unknownAll = [...unknownListed, ...pendingUnknown];
    const sentRecords = [...records.values()].filter((record) => record.status === 'sent').length;
    const invariants: Invariant[] = [
      {
        name: 'no reader mailed twice',
        ok: duplicates.length === 0,
        detail: `${duplicates.length} reader(s) with more than one mail${duplicates.length ? `: ${duplicates.slice(0, 5).join(', ')}` : ''}`,
      },
      {
        name: 'no reader lost (0 mails and not listed unknown)',
        ok: lost.length === 0,
        detail: `${lost.length} lost${
          lost.length
            ? `: ${lost
                .slice(0, 5)
                .map((email) => `${email} (record ${records.get(email)?.status ?? 'none'})`)
                .join(', ')}`
            : ''
        }`,
      },
      {
        name: 'every sent record matches the mail SES accepted',
        ok: phantomSent.length === 0,
        detail: `${phantomSent.length} sent record(s) without exactly that mail`,
      },
      {
        name: 'unknown outcomes only from claims open at a kill',
        ok: unknownAll.every((email) => everOpen.has(email)) && unknownAll.length <= everOpen.size,
        detail: `${unknownListed.length} listed + ${pendingUnknown.length} pending unknown; ${everOpen.size} claim(s) open at the kills (SES calls in flight: ${killLog.map((kill) => kill.sesInFlight).join('+') || 0})`,
      },
      {
        name: 'never sent while a reader is unaccounted for',
        ok:
          !trailSent ||
          (edition.status === 'sent' && exactlyOne === readers && sentRecords === readers && unknownAll.length === 0),
        detail: trailSent
          ? `observed sent; ${exactlyOne}/${readers} readers with one mail, ${sentRecords} sent records`
          : `final ${edition.status}`,
      },
      {
        name: 'the edition accounts for every reader',
        ok: final
          ? edition.sent === sentRecords &&
            edition.unknown === unknownListed.length &&
            edition.sent + edition.unknown + edition.failed + edition.suppressed + edition.notSent === readers
          : quiescent,
        detail: final
          ? `counters sent ${edition.sent} / unknown ${edition.unknown} vs records sent ${sentRecords} / listed unknown ${unknownListed.length}`
          : quiescent
            ? `not final after ${Math.round(settleMs / 1000)} s (killed claims wait for the 60 s lease); every other reader has a final record`
            : `neither final nor quiescent after ${Math.round(settleMs / 1000)} s (${readersWithoutRecord} reader(s) without a record)`,
      },
      {
        name: 'the SES tap agrees with the emulator inbox',
        ok: notInTap === 0,
        detail: `${polledOfEdition.length} polled, ${notInTap} not in the tap; polling alone would have missed ${missedByPolling}`,
      },
    ];

    const tally: Tally = {
      seed,
      readers,
      paidReaders: paid.size,
      throttleRate,
      killsRequested: kills,
      kills: killLog.length,
      killLog,
      editionId,
      mails,
      exactlyOne,
      zeroMails,
      lost,
      duplicates,
      unknownListed,
      unknownWithMail,
      pendingUnknown,
      pendingWithMail,
      phantomSent,
      readersWithoutRecord,
      ses: { calls, accepted, throttled, errors, inFlightAtKills: killLog.map((kill) => kill.sesInFlight) },
      openClaimsAtKills: openClaimSets.map((set) => set.size),
      polling: { seen: polledOfEdition.length, notInTap, missedByPolling },
      deadLetters,
      statusTrail,
      edition,
      final,
      quiescent,
      elapsedMs: {
        total: Date.now() - started,
        setup: setupMs,
        untilLastRestart: lastRestartAt - editionAskedAt,
        settle: settleMs,
      },
      ...(options.keepDataDir ? { dataDir } : {}),
      invariants,
      ok: invariants.every((invariant) => invariant.ok),
    };
    return tally;
  } finally {
    dynamo?.destroy();
    await stack.stop().catch(() => stack.kill());
    if (!options.keepDataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function countDeadLetters(dataDir: string, lives: number): Promise<number> {
  let count = 0;
  for (let life = 1; life <= lives; life += 1) {
    const text = await readFile(join(dataDir, `stack-${life}.log`), 'utf8').catch(() => '');
    for (const match of text.matchAll(/dead-letter: mail-sender gave up on (\d+) record/g)) count += Number(match[1]);
  }
  return count;
}

/* ---------- Output ---------- */

export function formatTally(tally: Tally): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const edition = tally.edition;
  const rows: [string, string][] = [
    ['seed', String(tally.seed)],
    ['readers', `${tally.readers} (${tally.paidReaders} paid)`],
    ['kills', `${tally.kills} of ${tally.killsRequested} requested`],
    [
      'SES throttling',
      `${Math.round(tally.throttleRate * 100)} % (${tally.ses.throttled} of ${tally.ses.calls} calls)`,
    ],
    ['mails accepted', String(tally.mails)],
    ['readers with exactly one mail', String(tally.exactlyOne)],
    ['readers with 0 mails', String(tally.zeroMails)],
    ['  of them not listed unknown (lost)', String(tally.lost.length)],
    ['readers with >1 mail (duplicates)', String(tally.duplicates.length)],
    [
      'unknown outcomes listed',
      `${tally.unknownListed.length} (${tally.unknownWithMail} of them got the mail)${tally.unknownListed.length ? `: ${tally.unknownListed.slice(0, 3).join(', ')}${tally.unknownListed.length > 3 ? ', …' : ''}` : ''}`,
    ],
    ['killed claims pending (lease)', `${tally.pendingUnknown.length} (${tally.pendingWithMail} of them got the mail)`],
    ['SES calls in flight at each kill', tally.ses.inFlightAtKills.join(', ') || '-'],
    ['claims each kill left sending', tally.openClaimsAtKills.join(', ') || '-'],
    [
      'kills (phase@time, readers mailed)',
      tally.killLog.map((kill) => `${kill.phase}@${seconds(kill.atMs)} ${kill.mailedBefore}`).join(', ') || '-',
    ],
    ['mail dead letters (local)', String(tally.deadLetters)],
    [
      'edition',
      `${String(edition.status)}${tally.final ? '' : ' (not final)'}: sent ${String(edition.sent)}, failed ${String(edition.failed)}, suppressed ${String(edition.suppressed)}, unknown ${String(edition.unknown)}, notSent ${String(edition.notSent)}, remaining ${String(edition.remaining ?? '-')}`,
    ],
    ['edition reason', String(edition.reason ?? '-')],
    ['status trail', tally.statusTrail.join(' → ')],
    [
      'polling cross-check',
      `${tally.polling.seen} seen, ${tally.polling.notInTap} not in tap, ${tally.polling.missedByPolling} missed by polling`,
    ],
    [
      'elapsed',
      `${seconds(tally.elapsedMs.total)} (setup ${seconds(tally.elapsedMs.setup)}, kills ${seconds(tally.elapsedMs.untilLastRestart)}, settle ${seconds(tally.elapsedMs.settle)})`,
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  lines.push('');
  for (const invariant of tally.invariants) {
    lines.push(`${invariant.ok ? 'ok  ' : 'FAIL'}  ${invariant.name}: ${invariant.detail}`);
  }
  return lines.join('\n');
}
