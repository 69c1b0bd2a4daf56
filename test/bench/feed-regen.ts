import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { reportsTable } from '../../lambdas/adapters/data-model';
import { batchWriteItems } from '../../lambdas/adapters/dynamo/batch';
import { reportItem, ReportsStore, tagEntryItems } from '../../lambdas/adapters/reports-store';
import { SiteBucket } from '../../lambdas/adapters/site-bucket';
import { fingerprintSubscriberPart } from '../../lambdas/core/paywall/fingerprints';
import { parsePublication, type Publication } from '../../lambdas/core/shared/publication';
import { planPublish } from '../../lambdas/core/site/publishing';
import type { ReportRecord } from '../../lambdas/core/reports/report';
import { SitePublisher, type PublishedReports, type SiteFiles } from '../../lambdas/core/site/site-publisher';
import { startEmulators } from '../../local/emulators';
import { ensureTables } from '../../local/provision';
import { formatList, median, round } from './stats';

/**
 * Feed regeneration after one submit, with 100 and with 100,000 stored reports, side by side: one dynalite
 * (on disk, as the local stack runs it) holding two reports tables and one s3rver holding two site buckets.
 * Seeding writes items straight into dynalite with BatchWrite, built by ReportsStore's own item builders
 * (`reportItem`, `tagEntryItems`), so the bench cannot drift from the table's layout. Each timed regen is what the feed publisher
 * does for one new submit's stream batch: planPublish on the change, then SitePublisher.publish against the
 * real emulators (ReportsStore queries, leak scan, renders, SiteBucket HEAD/PUT).
 */
export interface FeedRegenFigures {
  ratio: number;
  smallMs: number;
  largeMs: number;
  smallRuns: number[];
  largeRuns: number[];
  /** Of each regen: time inside ReportsStore (DynamoDB) and SiteBucket (S3) calls, medians. */
  breakdown: { small: Breakdown; large: Breakdown };
  seeded: { small: number; large: number };
  seedSeconds: { small: number; large: number };
  writesPerRegen: number;
}

interface Breakdown {
  tableMs: number;
  siteMs: number;
  otherMs: number;
}

const SMALL = 100;
const LARGE = Number(process.env.BENCH_FEED_LARGE ?? 100_000);
const REPETITIONS = 7;
/** Every report carries two of these, so even the 100-report set fills each tag feed (feedLength 50). */
const TAGS = ['Outages', 'Transmission', 'Tariffs'];
const SERIES = ['grid-watch', 'harbour-ledger'];

const paragraph = (i: number, n: number): string =>
  `<p>Report ${i}, paragraph ${n}: the operator's filing for the northern interconnector lists three unplanned outages, ` +
  `each longer than the last, and a repair schedule that slipped twice. Regional load data show the reserve margin ` +
  `falling below the regulator's threshold on four evenings.</p>`;

function seedRecord(i: number, publishedMs: number, publication: Publication): ReportRecord {
  const publishAt = new Date(publishedMs).toISOString();
  const id = ulid(publishedMs);
  const subscriber = i % 3 === 0;
  const tags = [TAGS[i % 3] as string, TAGS[(i + 1) % 3] as string];
  return {
    id,
    slug: `report-${i}-${id.slice(-8).toLowerCase()}`,
    revision: 1,
    createdAt: publishAt,
    updatedAt: publishAt,
    title: `Outages ripple through valley network, week ${i}`,
    summary: `Week ${i}: three unplanned outages left the grid without reserve margin; the filings show why repairs lag.`,
    tier: subscriber ? 'subscriber' : 'complimentary',
    series: SERIES[i % SERIES.length] ?? publication.series[0]?.id ?? 'grid-watch',
    tags,
    authors: ['Ines Varga'],
    publishAt,
    state: 'live',
    released: false,
    publicHtml: [1, 2].map((n) => paragraph(i, n)).join(''),
    ...(subscriber ? { paidRef: `paid/${id}.json` } : {}),
    sourceRef: `source/${id}.json`,
    fingerprints: subscriber
      ? fingerprintSubscriberPart(
          `Vault-only finding ${i}: relay ORCHID-${i} was tripped by hand on night ${i % 30}, the log shows.`,
          '',
        )
      : [],
  };
}

/** The items ReportsStore writes for a report: the report item and one tag entry per tag. */
function itemsOf(record: ReportRecord, now: Date): Record<string, unknown>[] {
  return [reportItem(record, now), ...tagEntryItems(record)];
}

async function seed(
  client: DynamoDBDocumentClient,
  tableName: string,
  count: number,
  publication: Publication,
  now: Date,
): Promise<number> {
  const began = performance.now();
  const start = now.getTime() - (count + 10) * 60_000;
  const inFlight = new Set<Promise<void>>();
  let batch: Record<string, unknown>[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const puts = batch.map((Item) => ({ PutRequest: { Item } }));
    const job = batchWriteItems(client, tableName, puts).finally(() => inFlight.delete(job));
    batch = [];
    inFlight.add(job);
    if (inFlight.size >= 6) await Promise.race(inFlight);
  };
  for (let i = 0; i < count; i++) {
    for (const item of itemsOf(seedRecord(i, start + i * 60_000, publication), now)) {
      batch.push(item);
      if (batch.length === 25) await flush();
    }
  }
  await flush();
  await Promise.all(inFlight);
  return (performance.now() - began) / 1000;
}

/** Adds up the time spent inside the adapters, so a regen splits into table, bucket and everything else. */
class Timed {
  tableMs = 0;
  siteMs = 0;
  async time<T>(kind: 'tableMs' | 'siteMs', work: () => Promise<T>): Promise<T> {
    const began = performance.now();
    try {
      return await work();
    } finally {
      this[kind] += performance.now() - began;
    }
  }
}

interface ArchiveSet {
  label: string;
  store: ReportsStore;
  publisher: SitePublisher;
  timer: Timed;
}

function archiveSet(
  label: string,
  client: DynamoDBDocumentClient,
  tableName: string,
  s3: S3Client,
  bucket: string,
  publication: Publication,
): ArchiveSet {
  const store = new ReportsStore(client, tableName);
  const site = new SiteBucket(s3, bucket);
  const timer = new Timed();
  const reports: PublishedReports = {
    latestPublished: (limit) => timer.time('tableMs', () => store.latestPublished(limit)),
    latestPublishedWithTag: (slug, limit) => timer.time('tableMs', () => store.latestPublishedWithTag(slug, limit)),
    get: (id) => timer.time('tableMs', () => store.get(id)),
  };
  const files: SiteFiles = {
    putIfChanged: (key, body, type, cache) => timer.time('siteMs', () => site.putIfChanged(key, body, type, cache)),
    delete: (key) => timer.time('siteMs', () => site.delete(key)),
  };
  return { label, store, publisher: new SitePublisher(reports, files, publication), timer };
}

/** One editor submit as ReportsStore stores it, then the feed publisher's work for its stream record. */
async function regen(
  set: ArchiveSet,
  publication: Publication,
  sequence: number,
): Promise<{ ms: number; breakdown: Breakdown; writes: number }> {
  const now = new Date();
  const record = seedRecord(1_000_000 + sequence, now.getTime() - 1000, publication);
  await set.store.putTagEntries(record);
  if (!(await set.store.create(record, now))) throw new Error('The new report could not be stored');
  const plan = planPublish([{ after: { record, listed: true } }]);
  set.timer.tableMs = 0;
  set.timer.siteMs = 0;
  const began = performance.now();
  const result = await set.publisher.publish(plan);
  const ms = performance.now() - began;
  if (result.blocked.length > 0)
    throw new Error(`The leak scan blocked ${result.blocked.length} artifact(s) in the ${set.label} set`);
  return {
    ms,
    breakdown: {
      tableMs: set.timer.tableMs,
      siteMs: set.timer.siteMs,
      otherMs: ms - set.timer.tableMs - set.timer.siteMs,
    },
    writes: result.written.length,
  };
}

export async function measureFeedRegen(log: (line: string) => void): Promise<FeedRegenFigures> {
  const cdk = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: { dispatch: unknown };
  };
  const publication = parsePublication(cdk.context.dispatch);
  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-bench-feeds-'));
  const buckets = { small: 'bench-site-100', large: 'bench-site-100k' };
  const tables = { small: 'bench-reports-100', large: 'bench-reports-100k' };
  const emulators = await startEmulators(dataDir, { dynalite: 0, s3: 0, ses: 0 }, Object.values(buckets));
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const dynamo = new DynamoDBClient({ endpoint: emulators.dynaliteUrl.toString(), region: 'us-east-1', credentials });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({
    endpoint: emulators.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    await ensureTables(dynamo, [
      { definition: reportsTable, tableName: tables.small },
      { definition: reportsTable, tableName: tables.large },
    ]);
    const now = new Date();
    const smallSeed = await seed(documents, tables.small, SMALL, publication, now);
    log(
      `feeds: seeding ${LARGE.toLocaleString('en-US')} reports (${(LARGE * 3).toLocaleString('en-US')} items) into dynalite…`,
    );
    const largeSeed = await seed(documents, tables.large, LARGE, publication, now);
    log(
      `feeds: seeded ${SMALL} reports in ${round(smallSeed, 2)} s and ${LARGE.toLocaleString('en-US')} in ${round(largeSeed, 1)} s`,
    );

    const small = archiveSet('100', documents, tables.small, s3, buckets.small, publication);
    const large = archiveSet('100k', documents, tables.large, s3, buckets.large, publication);
    // First regen of each set writes every artifact into an empty bucket; not counted.
    let sequence = 0;
    await regen(small, publication, sequence++);
    await regen(large, publication, sequence++);
    const runs = { small: [] as Awaited<ReturnType<typeof regen>>[], large: [] as Awaited<ReturnType<typeof regen>>[] };
    for (let rep = 0; rep < REPETITIONS; rep++) {
      // Alternate which set goes first, so drift on a shared machine hits both alike.
      const order = rep % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
      for (const which of order)
        runs[which].push(await regen(which === 'small' ? small : large, publication, sequence++));
    }
    const summarise = (list: Awaited<ReturnType<typeof regen>>[]): Breakdown => ({
      tableMs: round(median(list.map((r) => r.breakdown.tableMs)), 1),
      siteMs: round(median(list.map((r) => r.breakdown.siteMs)), 1),
      otherMs: round(median(list.map((r) => r.breakdown.otherMs)), 1),
    });
    const smallMs = median(runs.small.map((r) => r.ms));
    const largeMs = median(runs.large.map((r) => r.ms));
    const figures: FeedRegenFigures = {
      ratio: round(largeMs / smallMs, 2),
      smallMs: round(smallMs, 1),
      largeMs: round(largeMs, 1),
      smallRuns: runs.small.map((r) => round(r.ms, 1)),
      largeRuns: runs.large.map((r) => round(r.ms, 1)),
      breakdown: { small: summarise(runs.small), large: summarise(runs.large) },
      seeded: { small: SMALL, large: LARGE },
      seedSeconds: { small: round(smallSeed, 2), large: round(largeSeed, 1) },
      writesPerRegen: runs.large[0]?.writes ?? 0,
    };
    log(
      `feeds: regen ms with 100: ${formatList(figures.smallRuns)}; with 100k: ${formatList(figures.largeRuns)}; ${figures.writesPerRegen} objects written per regen`,
    );
    log(
      `feeds: median split (DynamoDB / S3 / render+scan): 100 → ${Object.values(figures.breakdown.small).join(' / ')} ms; 100k → ${Object.values(figures.breakdown.large).join(' / ')} ms`,
    );
    return figures;
  } finally {
    dynamo.destroy();
    s3.destroy();
    await emulators.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
