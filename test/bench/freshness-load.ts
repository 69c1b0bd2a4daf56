import { triggersOfKind } from '../../lambdas/app-model';
import { explainDangling } from './dangling-evidence';
import { FeedWatcher, pageStatus } from './feed-watch';
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
 * Open loop: submit i is sent at t0 + i/rate whatever the earlier answers did, so slow answers cannot hide the
 * queueing they cause. The watcher runs from before the first submit until every 201 is fresh or timed out.
 */
export async function loadPhase(stack: BenchStack, submit: Submit, stackLog: StackLog, rate: number, seconds: number) {
  const counts = emptyCounts();
  const watcher = new FeedWatcher(stack.api);
  watcher.start();
  const began = Date.now();
  const total = seconds * rate;
  const t0 = performance.now() + 50;
  const sends: Promise<Submitted & { lag: number }>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const lag = performance.now() - due;
    sends.push(
      submit().then(
        (submitted) => ({ ...submitted, lag }),
        (error: unknown) => ({
          status: 0,
          error: `no answer: ${error instanceof Error ? error.message : String(error)}`,
          answeredAt: Date.now(),
          lag,
        }),
      ),
    );
  }
  const results = await Promise.all(sends);
  const created = results.filter((result) => result.url !== undefined);
  const freshAt = (url: string): number | undefined => {
    const listed = watcher.listedInRssAt.get(url);
    const page = watcher.pageOkAt.get(url);
    return listed === undefined || page === undefined ? undefined : Math.max(listed, page);
  };
  const lastDeadline = Math.max(...created.map((result) => result.answeredAt)) + FRESH_TIMEOUT_MS;
  while (Date.now() < lastDeadline && created.some((result) => freshAt(result.url ?? '') === undefined)) {
    await sleep(100);
  }
  const watch = await watcher.stop();
  const ended = Date.now();
  const idByUrl = new Map(created.map((result) => [result.url ?? '', result.id ?? '']));
  const dangling = explainDangling(watch.dangling, idByUrl, stackLog, feedPublisherBatchSize());

  counts.loadAverage[1] = loadNow();
  for (const result of results) count(counts, result);
  // A submit not fresh within the timeout counts as Infinity, so the percentiles cover every 201.
  const freshMs = created.map((result) => {
    const at = freshAt(result.url ?? '');
    return at !== undefined && at - result.answeredAt <= FRESH_TIMEOUT_MS ? at - result.answeredAt : Infinity;
  });
  counts.neverFresh = freshMs.filter((ms) => ms === Infinity).length;
  let neverListedButPageUp = 0;
  for (const result of created) {
    const url = result.url ?? '';
    if (!watcher.listedInRssAt.has(url) && (await pageStatus(url)).status === 200) neverListedButPageUp++;
  }
  const batches = stackLog.publishedBetween(began, ended);
  const gaps = batches.slice(1).map((batch, index) => batch.at - (batches[index]?.at ?? batch.at));
  const records = batches.map((batch) => batch.records);
  // The publisher's pace while it had a backlog: from the end of the first batch to the end of the last full one
  // (a batch ends full only when more records were waiting), the records of the batches in between.
  const lastFull = batches.findLastIndex((batch) => batch.records === feedPublisherBatchSize());
  const backlogged = lastFull > 0 ? batches.slice(1, lastFull + 1) : [];
  const backlogSeconds = lastFull > 0 ? ((batches[lastFull]?.at ?? 0) - (batches[0]?.at ?? 0)) / 1000 : 0;
  return {
    counts,
    fresh: freshMs.filter((ms) => ms !== Infinity).length,
    watch,
    torn: watcher.torn,
    dangling,
    neverListedButPageUp,
    listedInRss: created.filter((result) => watcher.listedInRssAt.has(result.url ?? '')).length,
    pageSeenUp: created.filter((result) => watcher.pageOkAt.has(result.url ?? '')).length,
    p50: latencyPercentile(freshMs, 50),
    p95: latencyPercentile(freshMs, 95),
    max: latencyPercentile(freshMs, 100),
    sendLagP99Ms: round(
      percentile(
        results.map((result) => result.lag),
        99,
      ),
      1,
    ),
    batches: {
      count: batches.length,
      recordsP50: records.length > 0 ? percentile(records, 50) : 0,
      recordsMax: records.length > 0 ? Math.max(...records) : 0,
      gapP50Ms: gaps.length > 0 ? round(percentile(gaps, 50)) : 0,
      gapMaxMs: gaps.length > 0 ? round(Math.max(...gaps)) : 0,
      recordsPerSecondBacklogged:
        backlogSeconds > 0
          ? round(backlogged.reduce((sum, batch) => sum + batch.records, 0) / backlogSeconds, 1)
          : null,
    },
  };
}

/** The stream batch size the app model gives the feed publisher (the local stack uses the same). */
function feedPublisherBatchSize(): number {
  const stream = triggersOfKind('stream').find(({ fn }) => fn === 'feed-publisher');
  if (!stream) throw new Error('The app model has no stream trigger for feed-publisher');
  return stream.trigger.batchSize;
}
