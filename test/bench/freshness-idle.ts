import { mapConcurrently } from '../../lambdas/core/shared/concurrency';
import { pageStatus, pollPage, pollRssFor, TornReads } from './feed-watch';
import {
  FRESH_TIMEOUT_MS,
  count,
  emptyCounts,
  latencyPercentile,
  loadNow,
  type Submit,
  type Submitted,
} from './freshness-submits';
import { sleep, type BenchStack } from './local-stack';
import type { StackLog } from './stack-log';
import { percentile, round } from './stats';

/**
 * The idle run of the freshness bench: one submit at a time; from its 201, rss.xml and the page are polled side by
 * side until both have it, then a short pause. The stack's logs say where the time went.
 */
const IDLE_PAUSE_MS = 300;
const SEED_SUBMITS_IN_FLIGHT = 4;
/** The feed publisher drains the seed's stream records at its own pace; generous for a busy machine. */
const SEED_DRAIN_TIMEOUT_MS = 300_000;

/** One idle submit, in ms from its 201. */
export interface IdleSample {
  /** When the 201 arrived (ISO), to line the sample up with the stack's errors. */
  answeredAt: string;
  freshMs: number;
  pageReadyMs: number;
  rssListedMs: number;
  /** The reader who followed the link when rss.xml first listed it got a 200. */
  linkOk: boolean;
  /** A read of rss.xml while waiting came back torn or failed (the local S3 emulator's in-place rewrite). */
  metTornRead: boolean;
  /** The feed publisher's "Site published" line of the batch that carried it (undefined: no line found). */
  sitePublishedMs?: number;
  /** "Report created" + the batching window → "Site published": the publish itself, once the window closed. */
  publishAfterWindowMs?: number;
  batchRecords?: number;
}

/** Polls rss.xml and the page side by side from the 201 on; when the feed lists the item, follows its link at once. */
export async function measureIdleSubmit(
  stack: BenchStack,
  submitted: Submitted,
  torn: TornReads,
): Promise<IdleSample | undefined> {
  const { url, answeredAt } = submitted;
  if (url === undefined) return undefined;
  const tornBefore = torn.total();
  const deadline = answeredAt + FRESH_TIMEOUT_MS;
  const [listed, pageReady] = await Promise.all([
    pollRssFor(stack.api, url, deadline, torn).then(async (at) => ({
      at,
      follow: at === undefined ? undefined : await pageStatus(url),
    })),
    pollPage(url, deadline),
  ]);
  if (listed.at === undefined || pageReady === undefined) return undefined;
  return {
    answeredAt: new Date(answeredAt).toISOString(),
    freshMs: Math.max(listed.at, pageReady) - answeredAt,
    pageReadyMs: pageReady - answeredAt,
    rssListedMs: listed.at - answeredAt,
    linkOk: listed.follow?.status === 200,
    metTornRead: torn.total() > tornBefore,
  };
}

/**
 * Publishes `count` reports (a few submits in flight) and waits until the last is fresh, so the measured runs
 * rebuild full-length feeds and archive, as on a publication that has been running for a while.
 */
export async function seedReports(stack: BenchStack, submit: Submit, count: number): Promise<void> {
  const answers = await mapConcurrently(
    Array.from({ length: count }, (_, i) => i),
    SEED_SUBMITS_IN_FLIGHT,
    () => submit(),
  );
  const failed = answers.filter((answer) => answer.status !== 201);
  if (failed.length > 0) throw new Error(`Seeding: ${failed.length} submits failed (${failed[0]?.status})`);
  const last = answers.reduce((latest, answer) => (answer.answeredAt > latest.answeredAt ? answer : latest));
  const url = last.url ?? '';
  const deadline = Date.now() + SEED_DRAIN_TIMEOUT_MS;
  const [listed, page] = await Promise.all([
    pollRssFor(stack.api, url, deadline, new TornReads()),
    pollPage(url, deadline),
  ]);
  if (listed === undefined || page === undefined) {
    throw new Error(`Seeding: the last of ${count} reports was not fresh within ${SEED_DRAIN_TIMEOUT_MS} ms`);
  }
}

export async function idlePhase(
  submits: number,
  stack: BenchStack,
  submit: Submit,
  stackLog: StackLog,
  windowMs: number,
  torn: TornReads,
) {
  const counts = emptyCounts();
  const measured: { submitted: Submitted; sample: IdleSample }[] = [];
  for (let i = 0; i < submits; i++) {
    const submitted = await submit();
    count(counts, submitted);
    const sample = await measureIdleSubmit(stack, submitted, torn);
    if (submitted.status === 201 && sample === undefined) counts.neverFresh++;
    if (sample) measured.push({ submitted, sample });
    await sleep(IDLE_PAUSE_MS);
  }
  // The consumers' log lines reach the stack's stdout through its main thread, possibly after the feed: read
  // them once the run is over.
  const samples = measured.map(({ submitted, sample }) => ({
    ...sample,
    ...fromStackLog(submitted, stackLog, windowMs),
  }));
  counts.loadAverage[1] = loadNow();
  if (samples.length === 0) throw new Error(`No idle submit became fresh (${JSON.stringify(counts)})`);
  const fresh = [...samples.map((sample) => sample.freshMs), ...Array<number>(counts.neverFresh).fill(Infinity)];
  return {
    counts,
    samples,
    p50: latencyPercentile(fresh, 50),
    p95: latencyPercentile(fresh, 95),
    max: latencyPercentile(fresh, 100),
    ...withoutTornReads(samples),
    pageReadyP50Ms: round(
      percentile(
        samples.map((sample) => sample.pageReadyMs),
        50,
      ),
    ),
    rssListedP50Ms: round(
      percentile(
        samples.map((sample) => sample.rssListedMs),
        50,
      ),
    ),
    sitePublishedP50Ms: medianOf(samples.map((sample) => sample.sitePublishedMs)),
    publishAfterWindowP50Ms: medianOf(samples.map((sample) => sample.publishAfterWindowMs)),
    dangling: samples.filter((sample) => !sample.linkOk).length,
    linksChecked: samples.length,
    streamRecordsPerSubmitP50: medianOf(samples.map((sample) => sample.batchRecords)),
  };
}

/**
 * The idle figures over the samples whose rss.xml polls never met a torn or failed read: what the stack would give
 * if the local S3 emulator replaced objects atomically, as S3 does (a failed read stalls the reader ~6 s).
 */
function withoutTornReads(samples: readonly IdleSample[]): {
  p95WithoutTornReads: number | null;
  cleanSamples: number;
} {
  const clean = samples.filter((sample) => !sample.metTornRead).map((sample) => sample.freshMs);
  return { p95WithoutTornReads: latencyPercentile(clean, 95), cleanSamples: clean.length };
}

/** Where the submit's time went, by the stack's own log lines. */
function fromStackLog(submitted: Submitted, stackLog: StackLog, windowMs: number): Partial<IdleSample> {
  const published = stackLog.publishedAfter(submitted.answeredAt);
  if (!published) return {};
  const createdAt = submitted.id === undefined ? undefined : stackLog.createdAt.get(submitted.id);
  return {
    sitePublishedMs: published.at - submitted.answeredAt,
    ...(createdAt === undefined ? {} : { publishAfterWindowMs: published.at - (createdAt + windowMs) }),
    batchRecords: published.records,
  };
}

function medianOf(values: readonly (number | undefined)[]): number {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length > 0 ? round(percentile(known, 50)) : NaN;
}
