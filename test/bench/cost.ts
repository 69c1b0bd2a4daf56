import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { round } from './stats';

/**
 * AWS cost of one 100,000-recipient edition ÷ SES's own price for 100,000 messages. Every AWS SDK call the
 * digest handlers make during a scaled edition on the local stack is counted by a middleware added to the
 * shared clients (lambdas/adapters/clients.ts, mailer.ts, queue.ts), scaled per recipient, and priced with
 * test/bench/prices.json. Run in its own process (cost-child.ts) so the handler modules and clients are fresh.
 */
export interface CostFigures {
  ratio: number | null;
  note?: string;
  recipients?: number;
  /** service:operation → calls per recipient. */
  callsPerRecipient?: Record<string, number>;
  /** Line items for 100,000 recipients, USD. */
  lineItems?: { item: string; usd: number; basis: string }[];
  totalUsd?: number;
  sesFloorUsd?: number;
  compilesDuringEdition?: number;
  priceDate?: string;
}

interface Price {
  usd: number;
  per: number;
  unit: string;
  source: string;
}
export interface PriceFile {
  assumedDate: string;
  prices: Record<string, Price>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PIPELINE = ['digest-planner', 'mail-sender', 'digests-api'] as const;
const PLACEHOLDER = 'not implemented yet';
const RECIPIENTS = 1_000;
const SCALE_TO = 100_000;
/** Bounce (5 %) and complaint (0.1 %) events per mail at the rates where SES reviews an account. */
const FEEDBACK_EVENTS_PER_MAIL = 0.051;

export async function loadPrices(): Promise<PriceFile> {
  return JSON.parse(await readFile(new URL('./prices.json', import.meta.url), 'utf8')) as PriceFile;
}

const priceOf = (prices: PriceFile, name: string): number => {
  const price = prices.prices[name];
  if (!price) throw new Error(`prices.json has no ${name}`);
  return price.usd / price.per;
};

/** True once the colleague's digest handlers replaced their placeholders. */
export async function pipelineBuilt(): Promise<{ built: boolean; missing: string[] }> {
  const missing: string[] = [];
  for (const name of PIPELINE) {
    const source = await readFile(`${ROOT}lambdas/handlers/${name}.ts`, 'utf8').catch(() => PLACEHOLDER);
    if (source.includes(PLACEHOLDER)) missing.push(name);
  }
  return { built: missing.length === 0, missing };
}

interface Tally {
  calls: Map<string, number>;
  readUnits: number;
  writeUnits: number;
  /** DynamoDB calls that came back without ConsumedCapacity (priced by item-count assumptions instead). */
  unmetered: number;
  sqsChunks: number;
  mailQueueMessages: number;
}

const DYNAMO_READS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);
const DYNAMO_METERED = new Set([
  ...DYNAMO_READS,
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

interface CapacityShape {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/**
 * Counts every call at the `initialize` step (once per operation, before retries) and, for DynamoDB, asks for
 * ConsumedCapacity so reads and writes are priced in request units rather than guessed from item sizes.
 */
/** Any SDK v3 client (the document client shares its DynamoDBClient's stack). */
interface WithMiddleware {
  middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void };
}

export function countCalls(client: WithMiddleware, tally: Tally, service: string): void {
  const stack = client.middlewareStack as unknown as {
    add: (mw: unknown, options: { step: string; name: string }) => void;
  };
  stack.add(
    (
      next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
      context: { commandName?: string },
    ) =>
      async (args: { input: Record<string, unknown> }) => {
        const command = context.commandName ?? 'Unknown';
        const key = `${service}:${command.replace(/Command$/, '')}`;
        tally.calls.set(key, (tally.calls.get(key) ?? 0) + 1);
        if (service === 'DynamoDB' && DYNAMO_METERED.has(command)) args.input.ReturnConsumedCapacity = 'TOTAL';
        if (service === 'SQS') {
          const entries = (args.input.Entries as { MessageBody?: string }[] | undefined) ?? [
            { MessageBody: String(args.input.MessageBody ?? '') },
          ];
          const bytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0);
          tally.sqsChunks += Math.max(1, Math.ceil(bytes / 65_536));
          if (String(args.input.QueueUrl ?? '').includes('mailqueue')) tally.mailQueueMessages += entries.length;
        }
        const result = await next(args);
        if (service === 'DynamoDB' && DYNAMO_METERED.has(command)) {
          const consumed = result.output.ConsumedCapacity as CapacityShape | CapacityShape[] | undefined;
          const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
          if (list.length === 0) tally.unmetered += 1;
          const units = list.reduce(
            (sum, c) => sum + (c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0)),
            0,
          );
          if (DYNAMO_READS.has(command)) tally.readUnits += units;
          else tally.writeUnits += units;
        }
        return result;
      },
    { step: 'initialize', name: 'benchCallCounter' },
  );
}

/** Runs a scaled edition through digests-api → planner → sender on the in-process local stack and prices it. */
export async function measureCost(log: (line: string) => void): Promise<CostFigures> {
  const prices = await loadPrices();
  const { built, missing } = await pipelineBuilt();
  if (!built) {
    log(
      `cost: digest pipeline not yet built (${missing.join(', ')} still placeholders); prices from prices.json dated ${prices.assumedDate}`,
    );
    return { ratio: null, note: 'n/a (digest pipeline not yet built)', priceDate: prices.assumedDate };
  }

  const { startHarness } = await import('../integration/harness');
  const harness = await startHarness();
  try {
    // The SES emulator never throttles; the publication's 14 msg/s would only make the run long, not change calls.
    const publication = JSON.parse(process.env.DISPATCH_PUBLICATION ?? '{}') as Record<string, unknown>;
    process.env.DISPATCH_PUBLICATION = JSON.stringify({ ...publication, sendRatePerSecond: 5_000 });
    const { dynamoDocumentClient, s3Client } = await import('../../lambdas/adapters/clients');
    const { sesClient } = await import('../../lambdas/adapters/mailer');
    const { sqsClient } = await import('../../lambdas/adapters/queue');
    const { mjmlCompileCount } = await import('../../lambdas/render/digest-renderer');
    const tally: Tally = {
      calls: new Map(),
      readUnits: 0,
      writeUnits: 0,
      unmetered: 0,
      sqsChunks: 0,
      mailQueueMessages: 0,
    };
    countCalls(dynamoDocumentClient(), tally, 'DynamoDB');
    countCalls(s3Client(), tally, 'S3');
    countCalls(sesClient(), tally, 'SES');
    countCalls(sqsClient(), tally, 'SQS');

    // Content: two reports of each tier through the API; subscribers half free, half paid, imported active.
    for (const [i, tier] of (['complimentary', 'subscriber', 'complimentary', 'subscriber'] as const).entries()) {
      const response = await harness.api('/api/reports', {
        method: 'POST',
        json: {
          title: `Bench report ${i}`,
          summary: 'A summary for the cost benchmark.',
          body: 'First paragraph of the report.\n\nSecond paragraph.\n\nThird paragraph, subscriber-only when the tier says so.',
          tier,
          series: harness.stack.publication.series[0]?.id,
          tags: ['bench'],
          publishAt: new Date(Date.now() - 3_600_000).toISOString(),
        },
      });
      if (response.status !== 201)
        throw new Error(`Seeding report ${i} failed: ${response.status} ${await response.text()}`);
    }
    for (let i = 0; i < RECIPIENTS; i++) {
      const response = await harness.api(`/api/subscribers/${encodeURIComponent(`reader${i}@bench.example.org`)}`, {
        method: 'PUT',
        json: { tier: i % 2 === 0 ? 'free' : 'paid', status: 'active' },
      });
      if (!response.ok) throw new Error(`Seeding subscriber ${i} failed: ${response.status} ${await response.text()}`);
    }
    await harness.stack.drain(120_000);

    tally.calls.clear();
    Object.assign(tally, { readUnits: 0, writeUnits: 0, unmetered: 0, sqsChunks: 0, mailQueueMessages: 0 });
    const compilesBefore = mjmlCompileCount();
    const began = performance.now();
    const started = await harness.api('/api/digests', { method: 'POST', json: {} });
    if (started.status !== 202)
      throw new Error(`POST /api/digests answered ${started.status}: ${await started.text()}`);
    await harness.stack.drain(600_000);
    const wallMs = performance.now() - began;
    const inbox = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails?: unknown[] };
    const sent = tally.calls.get('SES:SendEmail') ?? 0;
    log(
      `cost: edition to ${RECIPIENTS} subscribers: ${sent} SendEmail calls, ${inbox.emails?.length ?? '?'} mails in the SES emulator, ${round(wallMs)} ms`,
    );
    if (sent < RECIPIENTS) throw new Error(`Only ${sent} of ${RECIPIENTS} messages were sent`);
    return priceEdition(prices, tally, RECIPIENTS, wallMs, mjmlCompileCount() - compilesBefore, log);
  } finally {
    await harness.close();
  }
}

function priceEdition(
  prices: PriceFile,
  tally: Tally,
  recipients: number,
  wallMs: number,
  compiles: number,
  log: (line: string) => void,
): CostFigures {
  const scale = SCALE_TO / recipients;
  const calls = (prefix: string, ops: string[]): number =>
    ops.reduce((sum, op) => sum + (tally.calls.get(`${prefix}:${op}`) ?? 0), 0);
  const s3Puts = calls('S3', [
    'PutObject',
    'CopyObject',
    'ListObjectsV2',
    'CreateMultipartUpload',
    'UploadPart',
    'CompleteMultipartUpload',
  ]);
  const s3Gets = calls('S3', ['GetObject', 'HeadObject']);
  const sesSends = calls('SES', ['SendEmail']);
  // Lambda's event source mapping polls and deletes what it delivers: ≈ one ReceiveMessage and one
  // DeleteMessageBatch per batch of up to 10 (empty long polls are not counted).
  const mailBatches = Math.ceil(tally.mailQueueMessages / 10);
  const sqsRequests = tally.sqsChunks + 2 * mailBatches + 2;
  // DynamoDB calls the emulator did not meter: one unit each (items assumed ≤ 1 KB written, ≤ 4 KB read).
  const lines = [
    { item: 'SES SendEmail', usd: sesSends * priceOf(prices, 'sesOutboundEmail'), basis: `${sesSends} calls counted` },
    {
      item: 'SQS requests',
      usd: sqsRequests * priceOf(prices, 'sqsStandardRequest'),
      basis: `${tally.sqsChunks} send chunks counted + ${2 * mailBatches + 2} poll/delete (derived)`,
    },
    {
      item: 'DynamoDB reads',
      usd: (tally.readUnits + tally.unmetered) * priceOf(prices, 'dynamodbOnDemandRead'),
      basis: `${round(tally.readUnits, 1)} RRU metered`,
    },
    {
      item: 'DynamoDB writes',
      usd: tally.writeUnits * priceOf(prices, 'dynamodbOnDemandWrite'),
      basis: `${round(tally.writeUnits, 1)} WRU metered; ${tally.unmetered} unmetered calls at 1 unit`,
    },
    {
      item: 'S3 requests',
      usd: s3Puts * priceOf(prices, 's3StandardPut') + s3Gets * priceOf(prices, 's3StandardGet'),
      basis: `${s3Puts} PUT-class, ${s3Gets} GET/HEAD`,
    },
    // Upper bound: the whole local run's wall time (emulators included) billed as one 1 GB arm64 function.
    {
      item: 'Lambda duration (estimate)',
      usd: (wallMs / 1000) * priceOf(prices, 'lambdaArmGbSecond'),
      basis: `wall time of the local run, ${round(wallMs)} ms at 1 GB, upper bound`,
    },
    {
      item: 'Lambda requests (derived)',
      usd: (mailBatches + 2) * priceOf(prices, 'lambdaRequest'),
      basis: `${mailBatches} sender batches + API + planner`,
    },
    // Modelled, not counted locally: the configuration set publishes bounce and complaint events (not deliveries)
    // to SNS, and the feedback Lambda runs once per event. Priced at SES's own review thresholds (5 % bounces,
    // 0.1 % complaints), an upper bound for any sender SES lets keep sending.
    {
      item: 'SNS feedback events (modelled)',
      usd: sesSends * FEEDBACK_EVENTS_PER_MAIL * priceOf(prices, 'snsPublish'),
      basis: `${FEEDBACK_EVENTS_PER_MAIL} publishes per message (bounces + complaints at SES's review thresholds)`,
    },
    {
      item: 'ses-feedback Lambda (modelled)',
      usd:
        sesSends *
        FEEDBACK_EVENTS_PER_MAIL *
        (priceOf(prices, 'lambdaRequest') +
          0.02 * 0.25 * priceOf(prices, 'lambdaArmGbSecond') +
          priceOf(prices, 'dynamodbOnDemandWrite')),
      basis: '1 invocation per feedback event, 20 ms at 256 MB, 1 WRU',
    },
  ].map((line) => ({ ...line, usd: line.usd * scale }));
  const totalUsd = lines.reduce((sum, line) => sum + line.usd, 0);
  const sesFloorUsd = SCALE_TO * priceOf(prices, 'sesOutboundEmail');
  const callsPerRecipient = Object.fromEntries(
    [...tally.calls.entries()].sort().map(([key, count]) => [key, round(count / recipients, 4)]),
  );
  log(
    `cost: calls per recipient: ${Object.entries(callsPerRecipient)
      .map(([key, n]) => `${key} ${n}`)
      .join(', ')}`,
  );
  for (const line of lines)
    log(`cost:   ${line.item}: $${round(line.usd, 4)} per ${SCALE_TO.toLocaleString('en-US')} (${line.basis})`);
  return {
    ratio: round(totalUsd / sesFloorUsd, 3),
    recipients,
    callsPerRecipient,
    lineItems: lines.map((line) => ({ ...line, usd: round(line.usd, 4) })),
    totalUsd: round(totalUsd, 4),
    sesFloorUsd,
    compilesDuringEdition: compiles,
    priceDate: prices.assumedDate,
  };
}
