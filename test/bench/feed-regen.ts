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
  /** What one regen asks of the stores, with 100 and with 100,000 reports (medians; identical in every run). */
  work: { small: RegenWork; large: RegenWork };
  /** DynamoDB items read with 100,000 reports ÷ with 100: the scaling figure (goal 1.0). */
  readsRatio: number;
  requestsRatio: number;
  objectsWrittenRatio: number;
  /** Time, for information: it also measures dynalite's LevelDB, not only our access pattern. */
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

/** Counted by SDK middleware on each set's own clients, from the responses themselves. */
export interface RegenWork {
  itemsRead: number;
  dynamoRequests: number;
  s3Requests: number;
  objectsWritten: number;
}

interface Breakdown {
  tableMs: number;
  siteMs: number;
  otherMs: number;
}

const SMALL = 100;
const LARGE = Number(process.env.BENCH_FEED_LARGE ?? 100_000);
const REPETITIONS = 7;
/**
 * Every report carries the two shared tags (and every third one a third), so even with 100 reports each tag read
 * window is full: the tag query reads 2 × feedLength entries and the archive 100 reports in both sets, and a
 * difference in items read could only come from the archive's size. A 100-report set whose tags held ~67 reports
 * each would read less simply because there is less to read.
 */
const SHARED_TAGS = ['Outages', 'Transmission'];
const OCCASIONAL_TAG = 'Tariffs';
const SERIES = ['grid-watch', 'harbour-ledger'];

const paragraph = (i: number, n: number): string =>
  `<p>Report ${i}, paragraph ${n}: the operator's filing for the northern interconnector lists three unplanned outages, ` +
  `each longer than the last, and a repair schedule that slipped twice. Regional load data show the reserve margin ` +
  `falling below the regulator's threshold on four evenings.</p>`;

function seedRecord(i: number, publishedMs: number, publication: Publication): ReportRecord {
  const publishAt = new Date(publishedMs).toISOString();
  const id = ulid(publishedMs);
  const subscriber = i % 3 === 0;
  const tags = i % 3 === 0 ? [...SHARED_TAGS, OCCASIONAL_TAG] : [...SHARED_TAGS];
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

/**
 * Wall time during which at least one call of a kind was in flight, so a regen splits into table, bucket and
 * everything else even though the publisher writes several files at once (summing each call's duration would
 * count overlapping writes several times).
 */
class Timed {
  tableMs = 0;
  siteMs = 0;
  /** Either kind in flight: the rest of a regen (rendering, the leak scan) is what lies outside it. */
  storesMs = 0;
  private readonly inFlight = { tableMs: 0, siteMs: 0, storesMs: 0 };
  private readonly busySince = { tableMs: 0, siteMs: 0, storesMs: 0 };

  reset(): void {
    this.tableMs = this.siteMs = this.storesMs = 0;
  }

  async time<T>(kind: 'tableMs' | 'siteMs', work: () => Promise<T>): Promise<T> {
    this.enter(kind);
    this.enter('storesMs');
    try {
      return await work();
    } finally {
      this.leave(kind);
      this.leave('storesMs');
    }
  }

  private enter(kind: 'tableMs' | 'siteMs' | 'storesMs'): void {
    if (this.inFlight[kind]++ === 0) this.busySince[kind] = performance.now();
  }

  private leave(kind: 'tableMs' | 'siteMs' | 'storesMs'): void {
    if (--this.inFlight[kind] === 0) this[kind] += performance.now() - this.busySince[kind];
  }
}

/**
 * Counts what a regen asks of DynamoDB and S3. Items read come from the responses (Query and Scan `ScannedCount`,
 * BatchGetItem's returned items, GetItem's item), so a query that reads more than it returns still counts.
 */
class WorkCounter {
  work: RegenWork = { itemsRead: 0, dynamoRequests: 0, s3Requests: 0, objectsWritten: 0 };

  reset(): void {
    this.work = { itemsRead: 0, dynamoRequests: 0, s3Requests: 0, objectsWritten: 0 };
  }

  countDynamo(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        this.work.dynamoRequests++;
        this.work.itemsRead += itemsReadBy(result.output);
        return result;
      },
      { step: 'initialize', name: 'benchCountItemsRead' },
    );
  }

  countS3(client: S3Client): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.work.s3Requests++;
        if (context.commandName === 'PutObjectCommand' || context.commandName === 'DeleteObjectCommand')
          this.work.objectsWritten++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCountObjects' },
    );
  }
}

function itemsReadBy(output: unknown): number {
  const o = output as {
    ScannedCount?: number;
    Count?: number;
    Item?: unknown;
    Responses?: Record<string, unknown[]>;
  };
  if (typeof o.ScannedCount === 'number') return o.ScannedCount;
  if (typeof o.Count === 'number') return o.Count;
  if (o.Responses) return Object.values(o.Responses).reduce((sum, items) => sum + items.length, 0);
  return o.Item === undefined ? 0 : 1;
}

interface ArchiveSet {
  label: string;
  store: ReportsStore;
  publisher: SitePublisher;
  timer: Timed;
  counter: WorkCounter;
}

/** Each set gets its own clients, so the counters see only that set's regens. */
function archiveSet(
  label: string,
  clients: { dynamo: DynamoDBClient; s3: S3Client },
  tableName: string,
  bucket: string,
  publication: Publication,
): ArchiveSet {
  const counter = new WorkCounter();
  counter.countDynamo(clients.dynamo);
  counter.countS3(clients.s3);
  const documents = DynamoDBDocumentClient.from(clients.dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const store = new ReportsStore(documents, tableName);
  const site = new SiteBucket(clients.s3, bucket);
  const timer = new Timed();
  const reports: PublishedReports = {
    latestPublished: (limit) => timer.time('tableMs', () => store.latestPublished(limit)),
    latestPublishedWithTag: (slug, limit) => timer.time('tableMs', () => store.latestPublishedWithTag(slug, limit)),
    latestPublishedInSeries: (id, limit) => timer.time('tableMs', () => store.latestPublishedInSeries(id, limit)),
    get: (id) => timer.time('tableMs', () => store.get(id)),
  };
  const files: SiteFiles = {
    putIfChanged: (key, body, type, cache) => timer.time('siteMs', () => site.putIfChanged(key, body, type, cache)),
    exists: (key) => timer.time('siteMs', () => site.exists(key)),
    delete: (key) => timer.time('siteMs', () => site.delete(key)),
  };
  return { label, store, publisher: new SitePublisher(reports, files, publication), timer, counter };
}

/** One editor submit as ReportsStore stores it, then the feed publisher's work for its stream record. */
async function regen(
  set: ArchiveSet,
  publication: Publication,
  sequence: number,
): Promise<{ ms: number; breakdown: Breakdown; writes: number; work: RegenWork }> {
  const now = new Date();
  // The shared tags only, so every regen rebuilds the same set of feeds in both archives.
  const record = { ...seedRecord(1_000_000 + sequence, now.getTime() - 1000, publication), tags: [...SHARED_TAGS] };
  await set.store.putTagEntries(record);
  if (!(await set.store.create(record, now))) throw new Error('The new report could not be stored');
  const plan = planPublish([{ after: { record, listed: true } }]);
  set.timer.reset();
  set.counter.reset();
  const began = performance.now();
  const result = await set.publisher.publish(plan);
  const ms = performance.now() - began;
  const work = { ...set.counter.work };
  if (result.blocked.length > 0)
    throw new Error(`The leak scan blocked ${result.blocked.length} artifact(s) in the ${set.label} set`);
  return {
    ms,
    breakdown: {
      tableMs: set.timer.tableMs,
      siteMs: set.timer.siteMs,
      otherMs: ms - set.timer.storesMs,
    },
    writes: result.written.length,
    work,
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
  const dynamoClient = () =>
    new DynamoDBClient({ endpoint: emulators.dynaliteUrl.toString(), region: 'us-east-1', credentials });
  const s3Client = () =>
    new S3Client({
      endpoint: emulators.s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const dynamo = dynamoClient();
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const clients = {
    small: { dynamo: dynamoClient(), s3: s3Client() },
    large: { dynamo: dynamoClient(), s3: s3Client() },
  };
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

    const small = archiveSet('100', clients.small, tables.small, buckets.small, publication);
    const large = archiveSet('100k', clients.large, tables.large, buckets.large, publication);
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
    const workOf = (list: Awaited<ReturnType<typeof regen>>[]): RegenWork => ({
      itemsRead: median(list.map((r) => r.work.itemsRead)),
      dynamoRequests: median(list.map((r) => r.work.dynamoRequests)),
      s3Requests: median(list.map((r) => r.work.s3Requests)),
      objectsWritten: median(list.map((r) => r.work.objectsWritten)),
    });
    const work = { small: workOf(runs.small), large: workOf(runs.large) };
    const figures: FeedRegenFigures = {
      work,
      readsRatio: round(work.large.itemsRead / work.small.itemsRead, 2),
      requestsRatio: round(
        (work.large.dynamoRequests + work.large.s3Requests) / (work.small.dynamoRequests + work.small.s3Requests),
        2,
      ),
      objectsWrittenRatio: round(work.large.objectsWritten / work.small.objectsWritten, 2),
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
    const spread = (list: Awaited<ReturnType<typeof regen>>[]) =>
      [
        ...new Set(
          list.map((r) => `${r.work.itemsRead}/${r.work.dynamoRequests}/${r.work.s3Requests}/${r.work.objectsWritten}`),
        ),
      ].join(' | ');
    log(
      `feeds: items read / DynamoDB requests / S3 requests / objects written per regen: 100 → ${spread(runs.small)}; 100k → ${spread(runs.large)}`,
    );
    log(
      `feeds: median split (DynamoDB / S3 / render+scan): 100 → ${Object.values(figures.breakdown.small).join(' / ')} ms; 100k → ${Object.values(figures.breakdown.large).join(' / ')} ms`,
    );
    return figures;
  } finally {
    dynamo.destroy();
    for (const set of Object.values(clients)) {
      set.dynamo.destroy();
      set.s3.destroy();
    }
    await emulators.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
