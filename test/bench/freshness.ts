import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../../lambdas/routes';
import type { DanglingSummary } from './dangling-evidence';
import type { FeedFormat } from './feed-links';
import { TornReads, type TornRead } from './feed-watch';
import { idlePhase, measureIdleSubmit, seedReports, type IdleSample } from './freshness-idle';
import { loadPhase } from './freshness-load';
import { FRESH_TIMEOUT_MS, submitter, type PhaseCounts } from './freshness-submits';
import { fixtureReport, sleep, startBenchStack } from './local-stack';
import { StackLog } from './stack-log';

/**
 * What a feed reader feels after an editor's submit (issue 13, item 2): the time from the 201 of
 * `POST /api/reports` (immediate publish) to the moment `/feeds/rss.xml`, served by the gateway as CloudFront
 * would serve it, lists the report AND its page `/reports/{slug}/` answers 200 — on an idle stack, one submit at
 * a time, and under an open-loop 20 submits/s. During the load run a reader follows every new feed link at once
 * and counts pages that are not there yet (dangling links).
 */
export interface FreshnessFigures {
  /** Over every 201 of the idle run; null: the percentile falls on a submit not fresh within FRESH_TIMEOUT_MS. */
  freshnessP50Ms: number | null;
  freshnessP95Ms: number | null;
  freshnessMaxMs: number | null;
  idle: PhaseCounts & {
    /** 201 → the page first answers 200 (polled on its own, independently of the feed). */
    pageReadyP50Ms: number;
    /** 201 → rss.xml first lists the item. */
    rssListedP50Ms: number;
    /** 201 → the feed publisher's "Site published" line for the batch that carried the report. */
    sitePublishedP50Ms: number;
    /** "Report created" (table write done) + the batching window → "Site published": the publish itself. */
    publishAfterWindowP50Ms: number;
    /** The feed listed the item and a reader following the link at once got no 200. */
    danglingLinks: number;
    /** Stream records one submit puts on the reports stream (report, slug claim, tag entries, revision), p50. */
    streamRecordsPerSubmitP50: number;
    /**
     * p95 over the samples whose rss.xml polls met no torn or failed read (the local S3 emulator rewrites objects in
     * place; S3 does not), and how many samples that is.
     */
    p95WithoutTornReads: number | null;
    cleanSamples: number;
    /** Every idle submit, in submit order. */
    samples: IdleSample[];
  };
  /** null: the percentile falls on a submit not fresh within FRESH_TIMEOUT_MS (more than that). */
  freshnessP50MsUnderLoad: number | null;
  freshnessP95MsUnderLoad: number | null;
  freshnessMaxMsUnderLoad: number | null;
  load: PhaseCounts & {
    rate: number;
    seconds: number;
    /** How late the generator fired requests (p99): the schedule held if this is small. */
    sendLagP99Ms: number;
    /** 201s whose item rss.xml listed at some poll, and whose page a reader saw answer 200. */
    listedInRss: number;
    pageSeenUp: number;
    /**
     * 201s whose item rss.xml never listed although the page is up at the end: by the time a feed was written,
     * `feedLength` newer reports were already in the table (the publisher ran that far behind).
     */
    neverListedButPageUp: number;
    /**
     * Stream batches the feed publisher finished during the run (from first submit to end of watch): their sizes,
     * the time between their ends, and the records per second they drained.
     */
    batches: {
      count: number;
      recordsP50: number;
      recordsMax: number;
      gapP50Ms: number;
      gapMaxMs: number;
      /** Records per second the publisher got through while full batches were waiting (null: never backlogged). */
      recordsPerSecondBacklogged: number | null;
    };
  };
  danglingLinks: number;
  linksChecked: number;
  feedPolls: Record<FeedFormat, number>;
  /** The dangling links of the load run on the feed publisher's timeline (first 20 in full), see dangling-evidence. */
  danglingEvidence: DanglingSummary;
  /** Feed reads that answered 200 with a body that does not parse (torn by an in-place rewrite), per format. */
  tornFeedReads: Record<FeedFormat, number>;
  tornFeedEvidence: TornRead[];
  /** Feed GETs that answered neither 200 nor 404 (status → count); their causes are in `stackErrors`. */
  failedFeedReads: Record<string, number>;
  /** The first of them with their times and how long the reader waited for each. */
  failedFeedReadEvidence: TornReads['failedReads'];
  /** The client rate limit on `POST /api/reports` (null: none); 429s are counted in `throttled`, never hidden. */
  submitRateLimit: { requests: number; windowSeconds: number } | null;
  /** Configured stream batching window of the local stack (`local/main.ts`, as the app model's 1 s). */
  streamBatchWindowMs: number;
  stackErrors: string[];
}

/** Submits per second of the load run (the 20; BENCH_FRESHNESS_RATE for a side experiment). */
const RATE = positiveSetting('BENCH_FRESHNESS_RATE', 20);
const LOAD_SECONDS = positiveSetting('BENCH_FRESHNESS_SECONDS', 30);
const IDLE_SUBMITS = positiveSetting('BENCH_FRESHNESS_IDLE_SUBMITS', 20);
const WARMUP_SUBMITS = 3;
/** Reports published before the measured runs: the archive's length, so every feed and the archive are full. */
const SEED_REPORTS = positiveSetting('BENCH_FRESHNESS_SEED', 100);
/** After the seed, lets its last batches (the private feed builder's too) finish before the idle run. */
const SETTLE_MS = 3000;

function positiveSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got ${raw}`);
  return value;
}

/** The window `local/main.ts` (what the bench stack runs) gives the stream deliveries; read from its source. */
async function streamBatchWindowMs(): Promise<number> {
  const source = await readFile(fileURLToPath(new URL('../../local/main.ts', import.meta.url)), 'utf8');
  const match = /streamBatchWindowMs:\s*([\d_]+)/.exec(source);
  if (!match?.[1]) throw new Error('local/main.ts no longer sets streamBatchWindowMs; update the freshness bench');
  return Number(match[1].replaceAll('_', ''));
}

export async function measureFreshness(log: (line: string) => void): Promise<FreshnessFigures> {
  const windowMs = await streamBatchWindowMs();
  const stackLog = new StackLog();
  const stack = await startBenchStack({ env: { POWERTOOLS_LOG_LEVEL: 'INFO' }, onStdoutLine: stackLog.onLine });
  try {
    const report = await fixtureReport();
    const submit = submitter(stack, report);
    // The first submits pay the handlers' cold start (tsx transpiles them on first import), in the gateway and
    // in the consumers' worker thread: not part of either steady state.
    const idleTorn = new TornReads();
    for (let i = 0; i < WARMUP_SUBMITS; i++) await measureIdleSubmit(stack, await submit(), idleTorn);
    const seeding = Date.now();
    await seedReports(stack, submit, SEED_REPORTS);
    log(`freshness: ${SEED_REPORTS} reports published first (${Date.now() - seeding} ms until the last was fresh)`);
    await sleep(SETTLE_MS);
    const idle = await idlePhase(IDLE_SUBMITS, stack, submit, stackLog, windowMs, idleTorn);
    log(
      `freshness idle: ${idle.samples.length} fresh of ${idle.counts.submits}: p50 ${idle.p50} ms, p95 ${idle.p95}, max ${idle.max}; page ready p50 ${idle.pageReadyP50Ms}, rss listed p50 ${idle.rssListedP50Ms}, site published p50 ${idle.sitePublishedP50Ms} (publish after the ${windowMs} ms window p50 ${idle.publishAfterWindowP50Ms}); p95 ${idle.p95WithoutTornReads} over the ${idle.cleanSamples} samples that met no torn feed read`,
    );
    const load = await loadPhase(stack, submit, stackLog, RATE, LOAD_SECONDS);
    log(
      `freshness at ${RATE}/s for ${LOAD_SECONDS} s: ${load.fresh} fresh of ${load.counts.created} × 201 (${load.counts.throttled} × 429): p50 ${load.p50} ms, p95 ${load.p95}, max ${load.max}; ${load.watch.dangling.length} dangling of ${load.watch.linksChecked} links checked; ${load.batches.count} batches (records p50 ${load.batches.recordsP50}, max ${load.batches.recordsMax}; ${load.batches.recordsPerSecondBacklogged ?? '–'} records/s while backlogged); null = not fresh within ${FRESH_TIMEOUT_MS} ms`,
    );
    if (idle.counts.throttled + load.counts.throttled > 0) {
      log(`freshness: WARNING the gateway throttled ${idle.counts.throttled + load.counts.throttled} submits (429)`);
    }
    const dangling = load.watch.dangling.length + idle.dangling;
    const tornFeedReads = { rss: 0, atom: 0, json: 0 };
    const failedFeedReads: Record<string, number> = {};
    for (const torn of [idleTorn, load.torn]) {
      for (const format of ['rss', 'atom', 'json'] as const) tornFeedReads[format] += torn.count[format];
      for (const { format, status } of torn.failedReads) {
        const key = `${format} ${status}`;
        failedFeedReads[key] = (failedFeedReads[key] ?? 0) + 1;
      }
    }
    return {
      freshnessP50Ms: idle.p50,
      freshnessP95Ms: idle.p95,
      freshnessMaxMs: idle.max,
      idle: {
        ...idle.counts,
        pageReadyP50Ms: idle.pageReadyP50Ms,
        rssListedP50Ms: idle.rssListedP50Ms,
        sitePublishedP50Ms: idle.sitePublishedP50Ms,
        publishAfterWindowP50Ms: idle.publishAfterWindowP50Ms,
        danglingLinks: idle.dangling,
        streamRecordsPerSubmitP50: idle.streamRecordsPerSubmitP50,
        p95WithoutTornReads: idle.p95WithoutTornReads,
        cleanSamples: idle.cleanSamples,
        samples: idle.samples,
      },
      freshnessP50MsUnderLoad: load.p50,
      freshnessP95MsUnderLoad: load.p95,
      freshnessMaxMsUnderLoad: load.max,
      load: {
        ...load.counts,
        rate: RATE,
        seconds: LOAD_SECONDS,
        sendLagP99Ms: load.sendLagP99Ms,
        listedInRss: load.listedInRss,
        pageSeenUp: load.pageSeenUp,
        neverListedButPageUp: load.neverListedButPageUp,
        batches: load.batches,
      },
      danglingLinks: dangling,
      linksChecked: load.watch.linksChecked + idle.linksChecked,
      feedPolls: load.watch.polls,
      danglingEvidence: { ...load.dangling, timelines: load.dangling.timelines.slice(0, 20) },
      tornFeedReads,
      failedFeedReads,
      failedFeedReadEvidence: [...idleTorn.failedReads, ...load.torn.failedReads].slice(0, 10),
      tornFeedEvidence: [...idleTorn.samples, ...load.torn.samples].slice(0, 10),
      submitRateLimit:
        ROUTES.find((route) => route.method === 'POST' && route.path === '/api/reports')?.clientRateLimit ?? null,
      streamBatchWindowMs: windowMs,
      stackErrors: stackLog.errors.slice(0, 20),
    };
  } finally {
    await stack.stop();
  }
}
