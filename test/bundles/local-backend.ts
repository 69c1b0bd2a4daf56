import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { BUCKETS, QUEUES, TABLES, type QueueDefinition } from '../../lambdas/adapters/data-model';
import type { DispatchFunctionName } from '../../lambdas/app-model';
import { DurableQueue } from '../../local/durable-queue';
import { startEmulators, type Emulators } from '../../local/emulators';
import type { StoredMail } from '../../local/ses-feedback-poller';
import { ensureTables } from '../../local/provision';
import { SqsEndpoint, type QueuedMessage } from '../../local/sqs-endpoint';
import { localBucketName, localTableName } from '../../local/stack';
import { StreamProxy, type StreamTable } from '../../local/stream-proxy';
import {
  LOCAL_REGION,
  LOCAL_STRIPE_WEBHOOK_SECRET_ARN,
  LOCAL_TOKEN_SECRET_ARN,
  localQueueName,
  localStreamArn,
} from './local-resources';
import { SecretsEndpoint } from './secrets-endpoint';
import type { StreamSource } from './template-triggers';

/**
 * The AWS side the bundles talk to: the local stack's emulators and endpoints (dynalite behind the stream proxy,
 * s3rver, aws-ses-v2-local, the SQS endpoint) plus a Secrets Manager stand-in and an X-Ray daemon that only
 * listens. Unlike `startLocalStack`, nothing here consumes a stream or a queue: the verifier plays the event
 * source mappings itself, so every side effect it checks was made by a bundle and not by the local stack's
 * in-process handlers.
 */
export interface LocalBackend {
  readonly endpoints: {
    readonly dynamodb: string;
    readonly s3: string;
    readonly ses: string;
    readonly sqs: string;
    readonly secretsManager: string;
    /** `127.0.0.1:port` of the UDP X-Ray daemon stand-in. */
    readonly xrayDaemon: string;
  };
  /** The token HMAC key Secrets Manager holds for `TOKEN_SECRET_ARN`. */
  readonly tokenSecret: string;
  /** What the billing webhook's Secrets Manager read answers; the scenario signs Stripe events with it. */
  readonly stripeWebhookSecret: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  /** The SES emulator's inbox, read in this process (what `GET /store` serialises). */
  sesInbox(): readonly StoredMail[];
  queueUrl(definition: QueueDefinition): string;
  /** What the SQS endpoint received for a queue, waiting for its consumer. */
  queue(definition: QueueDefinition): DurableQueue<QueuedMessage>;
  /** The stream records journaled for one stream consumer (one per event source mapping, as on AWS). */
  stream(fn: DispatchFunctionName): DurableQueue<DynamoDBRecord>;
  /** Trace documents the bundles sent to the X-Ray daemon address. */
  readonly traceSegments: readonly string[];
  stop(): Promise<void>;
}

/** s3rver checks signatures against this key pair; the other emulators accept any. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startLocalBackend(streamSources: readonly StreamSource[]): Promise<LocalBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dispatch-verify-data-'));
  const emulators: Emulators = await startEmulators(
    dataDir,
    { dynalite: 0, s3: 0, ses: 0 },
    BUCKETS.map((bucket) => localBucketName(bucket.id)),
  );

  const streams = new Map<DispatchFunctionName, DurableQueue<DynamoDBRecord>>();
  const streamTables = new Map<string, StreamTable>();
  for (const source of streamSources) {
    const journal = new DurableQueue<DynamoDBRecord>(join(dataDir, 'journals', `stream-${source.fn}.jsonl`));
    streams.set(source.fn, journal);
    const tableName = localTableName(source.table);
    const entry = streamTables.get(tableName) ?? {
      definition: source.table,
      tableName,
      streamArn: localStreamArn(source.table),
      consumers: [],
    };
    // Unfiltered: the template's filter criteria are not read here, and the consumers ignore other items anyway.
    entry.consumers.push({ queue: journal, filter: undefined });
    streamTables.set(tableName, entry);
  }
  const queues = new Map(
    QUEUES.map((definition) => [
      localQueueName(definition),
      new DurableQueue<QueuedMessage>(join(dataDir, 'journals', `sqs-${localQueueName(definition)}.jsonl`)),
    ]),
  );
  await Promise.all([...streams.values(), ...queues.values()].map((journal) => journal.open()));

  const proxy = new StreamProxy(emulators.dynaliteUrl, streamTables);
  const dynamodb = `http://127.0.0.1:${await proxy.listen(0)}`;
  const sqs = new SqsEndpoint(queues);
  const sqsUrl = `http://127.0.0.1:${await sqs.listen(0)}`;
  const tokenSecret = randomBytes(32).toString('base64url');
  const stripeWebhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  const secrets = new SecretsEndpoint(
    new Map([
      [LOCAL_TOKEN_SECRET_ARN, tokenSecret],
      [LOCAL_STRIPE_WEBHOOK_SECRET_ARN, stripeWebhookSecret],
    ]),
  );
  const secretsManager = await secrets.listen();

  const traceSegments: string[] = [];
  const daemon = createSocket('udp4');
  daemon.on('message', (message) => traceSegments.push(message.toString('utf8')));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));

  const dynamo = new DynamoDBClient({ endpoint: dynamodb, region: LOCAL_REGION, credentials: CREDENTIALS });
  await ensureTables(
    dynamo,
    TABLES.map((definition) => ({ definition, tableName: localTableName(definition) })),
  );
  const s3 = new S3Client({
    endpoint: emulators.s3Url,
    region: LOCAL_REGION,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    sesInbox: () => emulators.sesInbox(),
    endpoints: {
      dynamodb,
      s3: emulators.s3Url,
      ses: emulators.sesUrl,
      sqs: sqsUrl,
      secretsManager,
      xrayDaemon: `127.0.0.1:${daemon.address().port}`,
    },
    tokenSecret,
    stripeWebhookSecret,
    credentials: CREDENTIALS,
    documents: DynamoDBDocumentClient.from(dynamo),
    s3,
    queueUrl: (definition) => sqs.queueUrl(localQueueName(definition)),
    queue(definition) {
      const journal = queues.get(localQueueName(definition));
      if (journal === undefined) throw new Error(`No local queue for ${definition.id}`);
      return journal;
    },
    stream(fn) {
      const journal = streams.get(fn);
      if (journal === undefined) throw new Error(`${fn} consumes no table stream in the templates`);
      return journal;
    },
    traceSegments,
    async stop() {
      daemon.close();
      await secrets.close();
      await sqs.close();
      await proxy.close();
      await Promise.all([...streams.values(), ...queues.values()].map((journal) => journal.close()));
      dynamo.destroy();
      s3.destroy();
      await emulators.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
