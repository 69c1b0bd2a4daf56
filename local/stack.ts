import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  BUCKETS,
  TABLES,
  editorsTable,
  type QueueDefinition,
  type TableDefinition,
} from '../lambdas/adapters/data-model';
import { EditorsStore } from '../lambdas/adapters/editors-store';
import { type DispatchFunctionName, type ScheduleName, STRIPE_WEBHOOK_SECRET_ENV } from '../lambdas/app-model';
import { issueEditor } from '../lambdas/core/editors/editors';
import { parsePublication, type Publication } from '../lambdas/core/shared/publication';
import { ROUTES } from '../lambdas/routes';
import { writeAwsCliProfile } from './aws-cli-profile';
import { publishConsole } from './console-site';
import { SqsDelivery, StreamDelivery } from './delivery';
import { DurableQueue } from './durable-queue';
import { startEmulators, type Emulators } from './emulators';
import { invoker } from './functions';
import { Gateway } from './gateway';
import { lambdaContext } from './lambda-context';
import { assertPortFree } from './listen';
import { WorkerInvoker } from './worker-invoker';
import { ensureTables } from './provision';
import { Scheduler } from './scheduler';
import { type FeedbackInvoke, SesFeedbackPoller } from './ses-feedback-poller';
import { SqsEndpoint, type QueuedMessage } from './sqs-endpoint';
import { StreamProxy, type StreamTable } from './stream-proxy';
import { localWiring, scheduleEvent, type LocalWiring } from './wiring';

export interface LocalStackOptions {
  dataDir: string;
  /** Gateway port (DISPATCH_PORT); 0 picks a free one. */
  port: number;
  sesPort: number;
  dynamodbPort: number;
  s3Port: number;
  sqsPort: number;
  /** How often the release sweeper runs (AWS: every minute, see the app model). */
  sweepIntervalMs: number;
  /** First retry delay of local stream and queue deliveries. */
  retryDelayMs: number;
  /** Start the digest cron and the sweeper; tests turn them off and fire schedules themselves. */
  schedules: boolean;
  /**
   * Run stream, queue and schedule consumers in a worker thread, as separate Lambdas would run, so their work
   * never stalls the gateway. Tests that drive handlers in-process keep it off.
   */
  isolateConsumers: boolean;
  /** Stream batching window (AWS: the app model's `batchWindowSeconds`); 0 delivers at once. */
  streamBatchWindowMs: number;
  /** Enforce the routes' per-client rate limits in the gateway, as WAF does on AWS (benchmarks turn it off). @default true */
  clientRateLimits?: boolean;
  /**
   * The publication's `sendRatePerSecond` for this stack instead of cdk.json's (a benchmark at a production
   * account's SES quota, say). Everything derived from it follows: pacing, the mail sender's concurrency.
   * @default - cdk.json's
   */
  sendRatePerSecond?: number;
  /**
   * Build the editor console and put it into the site bucket under `console/`, as the CDK deployment does
   * (tests that never open `/console/` skip the build). @default true
   */
  console?: boolean;
  /**
   * Stripe's webhook signing secret (`$DISPATCH_STRIPE_WEBHOOK_SECRET`, e.g. the one `stripe listen` prints).
   * @default - generated on first start into `<dataDir>/stripe-webhook-secret` and reused after
   */
  stripeWebhookSecret?: string;
  log: (line: string) => void;
}

export interface Endpoints {
  api: string;
  dynamodb: string;
  s3: string;
  ses: string;
  sqs: string;
  region: string;
  tables: Record<string, string>;
  buckets: Record<string, string>;
  queues: Record<string, string>;
}

export interface LocalStack {
  apiUrl: string;
  sesUrl: string;
  endpoints: Endpoints;
  adminToken: string;
  adminTokenFile: string;
  /** What `POST /api/billing/stripe` checks signatures with, and where it came from (a file, or the option). */
  stripeWebhookSecret: { value: string; file: string | undefined };
  publication: Publication;
  /** Waits until every stream and queue delivery is idle (one may feed another, so it loops). */
  drain(timeoutMs?: number): Promise<void>;
  /** Fires a schedule now as EventBridge Scheduler would, with the given scheduled time. */
  fireSchedule(name: ScheduleName, scheduledTime: Date): Promise<void>;
  deadLetters(): Record<string, number>;
  /** Delivers pending SES bounce/complaint feedback now instead of at the next poll (tests). */
  pollSesFeedback(): Promise<void>;
  stop(): Promise<void>;
}

export const localTableName = (definition: TableDefinition): string => `dispatch-${definition.id.toLowerCase()}`;
export const localBucketName = (id: string): string => `dispatch-${id.toLowerCase()}`;
const localQueueName = (definition: QueueDefinition): string => `dispatch-${definition.id.toLowerCase()}`;

const localStreamArn = (tableName: string): string =>
  `arn:aws:dynamodb:us-east-1:000000000000:table/${tableName}/stream/local`;

/** Journals are named by function (streams) and queue (SQS), so each may have only one local consumer. */
function assertOneJournalEach(wiring: LocalWiring): void {
  const streamConsumers = wiring.streams.map(({ fn }) => fn);
  const consumedQueues = wiring.queues.map(({ queue }) => queue.id);
  for (const names of [streamConsumers, consumedQueues]) {
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice !== undefined) throw new Error(`The local stack cannot wire ${twice} twice`);
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const cdkJson = JSON.parse(await readFile(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: { dispatch: unknown };
  };
  const configured = parsePublication(
    options.sendRatePerSecond === undefined
      ? cdkJson.context.dispatch
      : { ...(cdkJson.context.dispatch as object), sendRatePerSecond: options.sendRatePerSecond },
  );
  const wiring = localWiring(configured);
  assertOneJournalEach(wiring);
  // SES event publishing is the only topic the local stack can play (see SesFeedbackPoller).
  const unplayable = wiring.topics.find(({ topic }) => topic !== 'mail-feedback');
  if (unplayable !== undefined) throw new Error(`No local stand-in for the ${unplayable.topic} topic`);

  // Every fixed port before anything starts: a busy one fails the start at once, naming that port.
  for (const port of [options.port, options.sesPort, options.dynamodbPort, options.s3Port, options.sqsPort]) {
    await assertPortFree(port, '127.0.0.1');
  }
  const tables = TABLES.map((definition) => ({ definition, tableName: localTableName(definition) }));
  const buckets = Object.fromEntries(BUCKETS.map((bucket) => [bucket.env, localBucketName(bucket.id)]));
  const emulators: Emulators = await startEmulators(
    dataDir,
    { dynalite: 0, s3: options.s3Port, ses: options.sesPort },
    BUCKETS.map((bucket) => ({ name: localBucketName(bucket.id), browserUploads: bucket.browserUploads === true })),
  );

  const journalDir = join(dataDir, 'queues');
  const streamQueues = new Map<DispatchFunctionName, DurableQueue<DynamoDBRecord>>();
  const streamTables = new Map<string, StreamTable>();
  for (const { fn, table, filter } of wiring.streams) {
    const queue = new DurableQueue<DynamoDBRecord>(join(journalDir, `stream-${fn}.jsonl`));
    streamQueues.set(fn, queue);
    // One proxy entry per table; each consumer reads the stream through its own journal, as on AWS.
    const tableName = localTableName(table);
    const streamTable = streamTables.get(tableName) ?? {
      definition: table,
      tableName,
      streamArn: localStreamArn(tableName),
      consumers: [],
    };
    streamTable.consumers.push({ queue, filter });
    streamTables.set(tableName, streamTable);
  }
  const sqsQueues = new Map<string, DurableQueue<QueuedMessage>>();
  for (const { queue } of wiring.queues) {
    sqsQueues.set(localQueueName(queue), new DurableQueue(join(journalDir, `sqs-${localQueueName(queue)}.jsonl`)));
  }
  await Promise.all([...streamQueues.values(), ...sqsQueues.values()].map((queue) => queue.open()));

  const proxy = new StreamProxy(emulators.dynaliteUrl, streamTables);
  const dynamodbPort = await proxy.listen(options.dynamodbPort);
  const dynamodbUrl = `http://127.0.0.1:${dynamodbPort}`;
  const sqs = new SqsEndpoint(sqsQueues);
  const sqsPort = await sqs.listen(options.sqsPort);

  const tokenSecret = await persistentSecret(join(dataDir, 'token-secret'));
  const stripeWebhookSecret = await localStripeWebhookSecret(dataDir, options.stripeWebhookSecret);

  // The environment every handler reads at cold start; set before any handler module is imported.
  const setEnv = (apiUrl: string): Publication => {
    const publication: Publication = { ...configured, siteUrl: apiUrl };
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
      AWS_ENDPOINT_URL_S3: emulators.s3Url,
      AWS_ENDPOINT_URL_SESV2: emulators.sesUrl,
      AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${sqsPort}`,
      DISPATCH_S3_FORCE_PATH_STYLE: 'true',
      DISPATCH_PUBLICATION: JSON.stringify(publication),
      TOKEN_SECRET: tokenSecret,
      [STRIPE_WEBHOOK_SECRET_ENV]: stripeWebhookSecret.value,
      SES_CONFIGURATION_SET: 'dispatch-local',
      ...Object.fromEntries(tables.map(({ definition, tableName }) => [`TABLE_${definition.env}`, tableName])),
      ...buckets,
      ...Object.fromEntries(wiring.queues.map(({ queue }) => [queue.env, sqs.queueUrl(localQueueName(queue))])),
    });
    return publication;
  };

  const dynamo = new DynamoDBClient({
    endpoint: dynamodbUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTables(dynamo, tables);
  const s3 = new S3Client({
    endpoint: emulators.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  if (options.console ?? true) {
    await publishConsole(s3, localBucketName('Site'), join(dataDir, 'console-build'), configured);
  }

  const gateway = new Gateway({
    routes: ROUTES,
    functions: (name) => invoker(name),
    authorizer: invoker('authorizer'),
    s3,
    siteBucket: localBucketName('Site'),
    uploadOrigin: new URL(emulators.s3Url).origin,
    log: options.log,
    clientRateLimits: options.clientRateLimits ?? true,
  });
  const port = await gateway.listen(options.port);
  const apiUrl = `http://127.0.0.1:${port}`;
  const publication = setEnv(apiUrl);

  const adminTokenFile = join(dataDir, 'admin-token');
  const adminToken = await bootstrapAdmin(
    adminTokenFile,
    new EditorsStore(DynamoDBDocumentClient.from(dynamo), localTableName(editorsTable)),
  );

  const workers = options.isolateConsumers ? new WorkerInvoker() : undefined;
  const consumer = <E>(fn: DispatchFunctionName) => (workers ? workers.invoker<E>(fn) : invoker<E>(fn));

  const onDeadLetter = (name: string, count: number, reason: string): void =>
    options.log(`dead-letter: ${name} gave up on ${count} record(s): ${reason}`);
  const streamDeliveries = wiring.streams.map(({ fn, batchSize, maxAttempts }) => {
    const queue = streamQueues.get(fn);
    if (!queue) throw new Error(`No local stream journal for ${fn}`);
    return new StreamDelivery(queue, consumer(fn), {
      name: fn,
      batchSize,
      maxAttempts,
      retryDelayMs: options.retryDelayMs,
      batchWindowMs: options.streamBatchWindowMs,
      onDeadLetter,
    });
  });
  const sqsDeliveries = wiring.queues.map(({ queue, fn, batchSize, maxAttempts, concurrency }) => {
    const name = localQueueName(queue);
    const durable = sqsQueues.get(name);
    if (!durable) throw new Error(`No local queue ${name}`);
    return new SqsDelivery(
      durable,
      consumer(fn),
      { name: fn, batchSize, maxAttempts, retryDelayMs: options.retryDelayMs, concurrency, onDeadLetter },
      `arn:aws:sqs:us-east-1:000000000000:${name}`,
    );
  });
  const deliveries = [...streamDeliveries, ...sqsDeliveries];
  for (const delivery of deliveries) delivery.start();

  // SES event publishing, locally: simulator bounces and complaints → the mail-feedback topic's subscribers.
  const feedbackInvokes = wiring.topics.map(({ fn }) => invoker<Parameters<FeedbackInvoke>[0]>(fn));
  const feedbackPoller = new SesFeedbackPoller(
    () => emulators.sesInbox(),
    async (event, context) => Promise.all(feedbackInvokes.map((invoke) => invoke(event, context))),
    { intervalMs: 1_000, log: options.log },
  );
  feedbackPoller.start();

  const fire = async (name: ScheduleName, scheduledTime: Date): Promise<void> => {
    const schedule = wiring.schedules.find((candidate) => candidate.name === name);
    if (!schedule) throw new Error(`No schedule ${name}`);
    const event = scheduleEvent(schedule, scheduledTime);
    if (schedule.via === undefined) {
      await consumer(schedule.fn)(event, lambdaContext(schedule.fn));
      return;
    }
    const queueName = localQueueName(schedule.via);
    const queue = sqsQueues.get(queueName);
    if (!queue) throw new Error(`No local queue ${queueName}`);
    await queue.push([{ body: JSON.stringify(event), sentAt: Date.now() }]);
  };
  const scheduler = new Scheduler(
    wiring.schedules.map((schedule) => ({
      name: schedule.name,
      // The sweep interval is an option so a developer need not wait a minute for a scheduled report.
      when:
        'cron' in schedule.when
          ? schedule.when
          : {
              everyMs:
                schedule.name === 'release-sweeper' ? options.sweepIntervalMs : schedule.when.everyMinutes * 60_000,
            },
      fire: (at) => fire(schedule.name, at),
    })),
    (name, error) => options.log(`schedule ${name} failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  if (options.schedules) scheduler.start();

  const endpoints: Endpoints = {
    api: apiUrl,
    dynamodb: dynamodbUrl,
    s3: emulators.s3Url,
    ses: emulators.sesUrl,
    sqs: `http://127.0.0.1:${sqsPort}`,
    region: 'us-east-1',
    tables: Object.fromEntries(tables.map(({ definition, tableName }) => [definition.id, tableName])),
    buckets: Object.fromEntries(BUCKETS.map((bucket) => [bucket.id, localBucketName(bucket.id)])),
    queues: Object.fromEntries(wiring.queues.map(({ queue }) => [queue.id, sqs.queueUrl(localQueueName(queue))])),
  };
  await writeFile(join(dataDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2) + '\n');
  await writeAwsCliProfile(dataDir, endpoints);

  let stopping: Promise<void> | undefined;
  return {
    apiUrl,
    sesUrl: emulators.sesUrl,
    endpoints,
    adminToken,
    adminTokenFile,
    stripeWebhookSecret,
    publication,
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const queues = [...streamQueues.values(), ...sqsQueues.values()];
      while (queues.some((queue) => queue.size > 0 || queue.busy)) {
        if (Date.now() > deadline) throw new Error('Local deliveries did not drain in time');
        await Promise.all(deliveries.map((delivery) => delivery.drained(Math.max(1, deadline - Date.now()))));
      }
    },
    fireSchedule: fire,
    pollSesFeedback: () => feedbackPoller.poll(),
    deadLetters() {
      return Object.fromEntries(
        [...streamQueues.entries(), ...sqsQueues.entries()].map(([name, queue]) => [name, queue.deadLetters().length]),
      );
    },
    stop() {
      stopping ??= (async () => {
        await gateway.close();
        await scheduler.stop();
        await Promise.all(deliveries.map((delivery) => delivery.stop()));
        await feedbackPoller.stop();
        await workers?.close();
        await Promise.all([...streamQueues.values(), ...sqsQueues.values()].map((queue) => queue.close()));
        await sqs.close();
        await proxy.close();
        dynamo.destroy();
        s3.destroy();
        await emulators.close();
      })();
      return stopping;
    },
  };
}

/**
 * The secret kept in `file`, generated on first start. The file holds the secret alone, without a final newline, so
 * a script that signs with it (a Stripe test header, an HMAC) gets the same bytes whether or not it trims what it
 * reads; a file written with one by an earlier version is rewritten without it.
 */
async function persistentSecret(file: string, generate = () => randomBytes(32).toString('base64url')): Promise<string> {
  try {
    const stored = await readFile(file, 'utf8');
    const secret = stored.trim();
    if (stored !== secret) await writeFile(file, secret);
    return secret;
  } catch (error) {
    // Only a missing file means first start; a new secret would void every link already mailed.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const secret = generate();
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

/**
 * The given secret, else one generated on first start in Stripe's own shape (`whsec_…`) and kept in the data dir,
 * so events signed with it (tests, a script) keep verifying across restarts.
 */
async function localStripeWebhookSecret(
  dataDir: string,
  given: string | undefined,
): Promise<LocalStack['stripeWebhookSecret']> {
  if (given !== undefined && given.trim() !== '') return { value: given.trim(), file: undefined };
  const file = join(dataDir, 'stripe-webhook-secret');
  return { value: await persistentSecret(file, () => `whsec_${randomBytes(32).toString('base64url')}`), file };
}

/** First start: an admin editor whose token is written (0600) to the data dir; later starts reuse it. */
async function bootstrapAdmin(file: string, editors: EditorsStore): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const issued = issueEditor('Local admin', 'admin', new Date());
    await editors.create(issued.record);
    // The token alone, no final newline: `$(cat …)`, a script's read() and a trim all give the same header value.
    await writeFile(file, issued.token, { mode: 0o600 });
    return issued.token;
  }
}
