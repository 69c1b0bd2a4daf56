import {
  billingTable,
  digestsTable,
  editorsTable,
  idempotencyTable,
  mailQueue,
  planQueue,
  type QueueDefinition,
  rateLimitsTable,
  signUpQueue,
  LEAK_STATUS_KEY_PREFIX,
  REPORT_ITEM_KEY,
  reportsTable,
  subscribersTable,
  type TableDefinition,
  VAULT_PREFIX,
} from './adapters/data-model';
import { EDITIONS_SITE_PREFIX } from './core/digest/edition-page-keys';
import { MEDIA_PREFIX } from './core/media/media-names';
import type { Publication } from './core/shared/publication';

/**
 * The application model: every Lambda of Dispatch, what starts it (its triggers) and exactly what it may touch
 * (IAM and environment). The CDK stateless stack turns each entry into a function, its IAM statements, its
 * environment and its event sources; the local stack (`local/wiring.ts`) derives its stream consumers, queue
 * consumers, schedules and topic stand-ins from the same triggers; `test/infra/app-model.test.ts` asserts the two
 * agree. This file is the one list of function names and the one place to read (and review) least privilege:
 * anything not listed here is denied. Plain data with no CDK or SDK types, so lib/, local/ and the Lambdas
 * (`routes.ts`) can all import it.
 */

/* ---------- Triggers ---------- */

/** The HTTP API routes of `lambdas/routes.ts` that name this function (`RouteDefinition.fn`). */
export interface RoutesTrigger {
  readonly kind: 'routes';
}

/** The HTTP API's Lambda authorizer: asked before every non-public route. */
export interface AuthorizerTrigger {
  readonly kind: 'authorizer';
}

/** A condition on one string key attribute of a stream record: equal to a value, or starting with a prefix. */
export type StreamKeyCondition = { readonly equals: string } | { readonly prefix: string };

/**
 * The stream records a consumer is given: those whose key attributes (`dynamodb.Keys`, present on INSERT, MODIFY
 * and REMOVE alike) meet every condition. The rest are dropped before batching, on AWS by the event source
 * mapping's filter criteria (`lib/stream-filter-criteria.ts`) and locally by the stream proxy
 * (`local/stream-filter.ts`), so a batch of `batchSize` is that many records the consumer uses.
 */
export interface StreamRecordFilter {
  readonly keys: Readonly<Record<string, StreamKeyCondition>>;
}

/**
 * A DynamoDB stream. On AWS every stream consumer also bisects a failing batch, reports partial batch failures,
 * starts from the oldest record and sends what it gave up on to the failed-events queue.
 */
export interface StreamTrigger {
  readonly kind: 'stream';
  readonly table: TableDefinition & { readonly stream: true };
  /** @default - every record of the table's stream */
  readonly filter?: StreamRecordFilter;
  readonly batchSize: number;
  /** How long records are gathered into one batch (the local stack may shorten it, see `LocalStackOptions`). */
  readonly batchWindowSeconds: number;
  /** Retries of a failing batch (after bisecting) before its records go to the failed-events queue. */
  readonly retryAttempts: number;
}

/** A setting that may depend on the publication (cdk.json context `dispatch`). */
export type PublicationSetting<T> = T | ((publication: Publication) => T);

export function resolveSetting<T extends number | object>(setting: PublicationSetting<T>, publication: Publication): T {
  return typeof setting === 'function' ? setting(publication) : setting;
}

/**
 * An SQS work queue, consumed with partial batch failures in batches of `queue.batchSize`; a message goes to the
 * queue's dead-letter queue after `queue.maxReceiveCount` deliveries.
 */
export interface QueueTrigger {
  readonly kind: 'queue';
  readonly queue: QueueDefinition;
  /**
   * Invocations the queue may run at once (the SQS event source's maximum concurrency, at least 2).
   * @default - unbounded (up to the account's concurrency)
   */
  readonly maxConcurrency?: PublicationSetting<number>;
  /**
   * Environment variable that hands the function its `maxConcurrency`, for a function whose instances share a
   * rate between them (the mail sender paces each instance to `sendRatePerSecond / maxConcurrency`).
   */
  readonly maxConcurrencyEnv?: string;
}

/** A five-field cron in an IANA time zone, or a fixed rate. */
export type ScheduleWhen = { readonly cron: string; readonly timeZone: string } | { readonly everyMinutes: number };

/** The schedules `LocalStack.fireSchedule` can fire. */
export type ScheduleName = 'digest' | 'release-sweeper' | 'billing-sweeper';

/** The event field holding the scheduled time (ISO 8601), as EventBridge Scheduler's `<aws.scheduler.scheduled-time>`. */
export const SCHEDULED_TIME_FIELD = 'scheduledTime';

/**
 * An EventBridge Scheduler schedule. It invokes the function, or sends to `via` (a queue the function consumes)
 * when the work must survive a failed invocation. The event is `input` plus the scheduled time under
 * `SCHEDULED_TIME_FIELD`.
 */
export interface ScheduleTrigger {
  readonly kind: 'schedule';
  readonly name: ScheduleName;
  /** Construct id on AWS; renaming it replaces the schedule. */
  readonly constructId: string;
  readonly description: string;
  readonly when: PublicationSetting<ScheduleWhen>;
  /** @default - the schedule invokes the function itself */
  readonly via?: QueueDefinition;
  readonly input: Readonly<Record<string, string>>;
  /** Scheduler's own retries when the target call fails. */
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
  /** Events Scheduler gave up on go to the failed-events queue. @default false */
  readonly toFailedEvents?: boolean;
}

/** SNS topics of the app: `mail-feedback` carries SES bounce, complaint and delivery events. */
export type TopicName = 'mail-feedback';

/** An SNS topic subscription (asynchronous invocation: see `FunctionSpec.asyncInvoke`). */
export interface TopicTrigger {
  readonly kind: 'topic';
  readonly topic: TopicName;
}

export type Trigger = RoutesTrigger | AuthorizerTrigger | StreamTrigger | QueueTrigger | ScheduleTrigger | TopicTrigger;
export type TriggerKind = Trigger['kind'];

/* ---------- Access ---------- */

export type TableAccessMode = 'read' | 'readWrite';

export interface TableAccess {
  readonly table: TableDefinition;
  readonly mode: TableAccessMode;
}

export type VaultPrefix = (typeof VAULT_PREFIX)[keyof typeof VAULT_PREFIX];

export interface FunctionSpec {
  readonly description: string;
  /** What invokes the function; a function without triggers is never called. */
  readonly triggers: readonly Trigger[];
  /**
   * Retries and dead letters of asynchronous invocations (schedules that invoke the function, topics).
   * @default - Lambda's defaults: two retries, six hours, no destination
   */
  readonly asyncInvoke?: {
    readonly retryAttempts: number;
    readonly maxEventAgeSeconds?: number;
    /** Events that still fail go to the failed-events queue. @default false */
    readonly toFailedEvents?: boolean;
  };
  /** Item-level access to these tables and their indexes (never Scan, never table management). */
  readonly tables?: readonly TableAccess[];
  /**
   * Writes to items of a table whose partition key starts with `leadingKeyPrefix` only (an IAM condition on
   * `dynamodb:LeadingKeys`), for a function that must not touch the table's other items.
   */
  readonly keyedWrites?: readonly { readonly table: TableDefinition; readonly leadingKeyPrefix: string }[];
  /** Vault prefixes the function may read (`s3:GetObject`) and write (`s3:PutObject`). */
  readonly vault?: { readonly get?: readonly VaultPrefix[]; readonly put?: readonly VaultPrefix[] };
  /** Get/Put/Delete on site objects and ListBucket on the site bucket. */
  readonly siteReadWrite?: boolean;
  /**
   * Get/Put/Delete on the site bucket's `media/` objects only, and ListBucket limited to that prefix (image
   * uploads: presigned PUTs are signed with these credentials, then the upload is read back and checked).
   */
  readonly siteMedia?: boolean;
  /** Put on the site bucket's `editions/` objects only (the public edition pages and `/editions/`), nothing else. */
  readonly siteEditions?: boolean;
  /** Queues the function sends to; their URLs arrive under each definition's `env` name. */
  readonly sendsTo?: readonly QueueDefinition[];
  /** `secretsmanager:GetSecretValue` on the token HMAC key. */
  readonly tokenSecret?: boolean;
  /** `secretsmanager:GetSecretValue` on Stripe's webhook signing secret (its ARN in `STRIPE_WEBHOOK_SECRET_ARN_ENV`). */
  readonly stripeWebhookSecret?: boolean;
  /** `ses:SendEmail` on the sender identity and the configuration set, from the sender address only. */
  readonly sendsEmail?: boolean;
  /** Project directories shipped next to the bundle, e.g. `templates` (MJML read at run time). */
  readonly copyIntoBundle?: readonly string[];
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
}

/** The variable naming the Stripe webhook signing secret's ARN, for a function with `stripeWebhookSecret`. */
export const STRIPE_WEBHOOK_SECRET_ARN_ENV = 'STRIPE_WEBHOOK_SECRET_ARN';
/** The variable holding the signing secret itself: the local stack's stand-in for Secrets Manager. */
export const STRIPE_WEBHOOK_SECRET_ENV = 'STRIPE_WEBHOOK_SECRET';

/**
 * DynamoDB actions. Items are read by key (`TABLE_READ_ACTIONS`), indexes only queried (`INDEX_READ_ACTIONS`), and
 * writes go to the base table only. No Scan: every read path goes through a key or an index.
 */
export const TABLE_READ_ACTIONS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
export const INDEX_READ_ACTIONS: readonly string[] = ['dynamodb:Query'];
export const TABLE_WRITE_ACTIONS: readonly string[] = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export const SITE_OBJECT_ACTIONS: readonly string[] = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];
/** The site bucket prefix a `siteMedia` function may touch, and nothing else of the bucket. */
export const SITE_MEDIA_PREFIX = MEDIA_PREFIX;
/** The site bucket prefix a `siteEditions` function may write, and nothing else of the bucket. */
export const SITE_EDITIONS_PREFIX = EDITIONS_SITE_PREFIX;

/** The MJML digest templates; `lambdas/render/templates.ts` reads them from `./templates/` next to the bundle. */
const DIGEST_TEMPLATES = ['templates'] as const;

const read = (table: TableDefinition): TableAccess => ({ table, mode: 'read' });
const readWrite = (table: TableDefinition): TableAccess => ({ table, mode: 'readWrite' });
const { paid, source, editions, privateFeeds } = VAULT_PREFIX;

/** Mails one sender invocation can pace through SES per second (one SendEmail round trip ≈ 100 ms). */
export const MAILS_PER_SECOND_PER_SENDER = 10;

/**
 * Concurrent mail senders for a publication send rate: enough workers to reach the rate, never fewer than the
 * SQS event source minimum of 2. Each worker paces itself to `sendRatePerSecond / concurrency`
 * (env `MAIL_SENDER_MAX_CONCURRENCY`), so together they stay within the SES quota.
 */
export function mailSenderConcurrency(sendRatePerSecond: number): number {
  return Math.min(1000, Math.max(2, Math.ceil(sendRatePerSecond / MAILS_PER_SECOND_PER_SENDER)));
}

/**
 * The reports stream, as the feed publisher and the private feed builder consume it. Both read report items only
 * (their before and after images, `lambdas/events/report-stream.ts`): a submit also writes a slug claim, tag
 * entries and a revision, and the feed publisher its leak status, which would otherwise fill five of every six
 * places in a batch. Deletes match too: their `Keys` carry the report item's key.
 */
const REPORTS_STREAM = {
  kind: 'stream',
  table: reportsTable,
  filter: {
    keys: {
      [reportsTable.partitionKey.name]: { prefix: REPORT_ITEM_KEY.partitionKeyPrefix },
      [reportsTable.sortKey.name]: { equals: REPORT_ITEM_KEY.sortKey },
    },
  },
  batchSize: 100,
  batchWindowSeconds: 1,
  retryAttempts: 10,
} as const satisfies StreamTrigger;

const ROUTES_TRIGGER = { kind: 'routes' } as const satisfies RoutesTrigger;

/** `as const` keeps each entry's trigger kinds in its type, so `RoutedFunctionName` can be derived from them. */
const CATALOG = {
  health: {
    description: 'GET /api/health: answers when the stack is up.',
    triggers: [ROUTES_TRIGGER],
  },
  authorizer: {
    description: 'HTTP API authorizer: editor token → role, checked against the route key.',
    triggers: [{ kind: 'authorizer' }],
    tables: [read(editorsTable)],
  },
  'editors-api': {
    description: 'Admin API: list editors, create and revoke editor tokens.',
    triggers: [ROUTES_TRIGGER],
    tables: [readWrite(editorsTable)],
  },
  'reports-api': {
    description: 'Editor API: create, list, read, correct and unpublish reports.',
    triggers: [ROUTES_TRIGGER],
    // Digests: an unpublish or a correction pauses the editions still sending the report.
    tables: [readWrite(reportsTable), readWrite(idempotencyTable), readWrite(digestsTable)],
    vault: { get: [paid, source], put: [paid, source] },
    // The same change asks the planner to write the pages of every edition listing the report again.
    sendsTo: [planQueue],
  },
  'media-api': {
    description: 'Editor API: presigned image uploads into the site bucket under media/, checked after upload.',
    triggers: [ROUTES_TRIGGER],
    siteMedia: true,
  },
  'feed-publisher': {
    description: 'Reports stream → public feeds, pages and archive in the site bucket. No vault access by design.',
    triggers: [REPORTS_STREAM],
    tables: [read(reportsTable)],
    keyedWrites: [{ table: reportsTable, leadingKeyPrefix: LEAK_STATUS_KEY_PREFIX }],
    siteReadWrite: true,
  },
  'private-feed-builder': {
    description: 'Reports stream → full-text private feeds in the vault.',
    triggers: [REPORTS_STREAM],
    tables: [read(reportsTable)],
    vault: { get: [paid], put: [privateFeeds] },
  },
  'private-feed': {
    description: 'GET /feeds/private/{token}/{file}: serves a paid subscriber their full-text feed.',
    triggers: [ROUTES_TRIGGER],
    tables: [read(subscribersTable)],
    vault: { get: [privateFeeds] },
    tokenSecret: true,
  },
  'release-sweeper': {
    description: 'Every minute: publishes scheduled reports and frees reports whose freeAfter has passed.',
    triggers: [
      {
        kind: 'schedule',
        name: 'release-sweeper',
        constructId: 'ReleaseSweepSchedule',
        description: 'Publishes due reports and frees reports past freeAfter',
        when: { everyMinutes: 1 },
        input: {},
        // A missed sweep is simply the next minute's sweep: no retries, no dead letters.
        retryAttempts: 0,
        maxEventAgeSeconds: 60,
      },
    ],
    asyncInvoke: { retryAttempts: 0, maxEventAgeSeconds: 60 },
    tables: [readWrite(reportsTable)],
    vault: { get: [paid] },
    timeoutSeconds: 50,
  },
  'subscribers-api': {
    description:
      'Subscribe (counted per address and queued), confirm, unsubscribe (public) and subscriber administration (admin).',
    triggers: [ROUTES_TRIGGER],
    tables: [readWrite(subscribersTable), readWrite(rateLimitsTable)],
    sendsTo: [signUpQueue],
    tokenSecret: true,
  },
  'sign-up-worker': {
    description:
      'Sign-up queue → creates pending subscribers and sends confirmation mails, and mails member sign-in links, through SES.',
    // Two workers at most: confirmation mails share the SES send rate with the digest.
    triggers: [{ kind: 'queue', queue: signUpQueue, maxConcurrency: 2 }],
    tables: [readWrite(subscribersTable)],
    tokenSecret: true,
    sendsEmail: true,
    timeoutSeconds: 30,
  },
  members: {
    description:
      'Member sign-in by email (link → session cookie, logout) and member pages: full text and the paid edition for signed-in paid readers.',
    triggers: [ROUTES_TRIGGER],
    // Subscribers: the sign-in and session versions move on here (single-use links, logout). Reports: by slug.
    tables: [readWrite(subscribersTable), read(reportsTable)],
    // Paid parts for the full text; the paid edition pages the planner writes under editions/.
    vault: { get: [paid, editions] },
    // Logins are queued for the sign-up worker, which mails the link: the request never waits for SES.
    sendsTo: [signUpQueue],
    tokenSecret: true,
  },
  'digests-api': {
    description:
      'Admin API: list editions, send one now, follow its progress, preview it, test-send it to one address; editors: an unsaved report as a digest email.',
    triggers: [ROUTES_TRIGGER],
    copyIntoBundle: DIGEST_TEMPLATES,
    tables: [readWrite(digestsTable), read(reportsTable)],
    vault: { get: [paid] },
    sendsTo: [planQueue],
    // `POST /api/digests/test`: the previewed edition to one address, recording nothing.
    sendsEmail: true,
    memorySize: 1024,
    timeoutSeconds: 29,
  },
  'digest-planner': {
    description:
      'Plan queue → compiles an edition per tier, publishes its web pages and fans recipients out to the mail queue.',
    triggers: [
      { kind: 'queue', queue: planQueue },
      {
        kind: 'schedule',
        name: 'digest',
        constructId: 'DigestSchedule',
        description: 'Digest edition',
        when: ({ digest }) => ({ cron: digest.cron, timeZone: digest.timeZone }),
        // Through the plan queue: an edition the planner fails on is retried and dead-lettered like any other.
        via: planQueue,
        input: { trigger: 'schedule' },
        retryAttempts: 10,
        maxEventAgeSeconds: 2 * 60 * 60,
        toFailedEvents: true,
      },
    ],
    copyIntoBundle: DIGEST_TEMPLATES,
    tables: [read(reportsTable), read(subscribersTable), readWrite(digestsTable)],
    // Compiled editions and the paid edition pages in the vault; the public edition pages in the site bucket.
    vault: { get: [paid, editions], put: [editions] },
    siteEditions: true,
    sendsTo: [mailQueue],
    memorySize: 1024,
    timeoutSeconds: 300,
  },
  'mail-sender': {
    description: 'Mail queue → sends compiled editions through SES at the publication send rate.',
    triggers: [
      {
        kind: 'queue',
        queue: mailQueue,
        maxConcurrency: ({ sendRatePerSecond }) => mailSenderConcurrency(sendRatePerSecond),
        maxConcurrencyEnv: 'MAIL_SENDER_MAX_CONCURRENCY',
      },
    ],
    copyIntoBundle: DIGEST_TEMPLATES,
    tables: [read(subscribersTable), readWrite(digestsTable)],
    vault: { get: [editions] },
    tokenSecret: true,
    sendsEmail: true,
    timeoutSeconds: 30,
  },
  'ses-feedback': {
    description: 'SES bounce, complaint and delivery events → subscriber status and edition progress.',
    triggers: [{ kind: 'topic', topic: 'mail-feedback' }],
    // SNS invokes asynchronously: feedback that still cannot be applied is kept for the operator.
    asyncInvoke: { retryAttempts: 2, toFailedEvents: true },
    tables: [readWrite(subscribersTable), readWrite(digestsTable)],
  },
  'billing-webhook': {
    description: "POST /api/billing/stripe: signed Stripe checkout and subscription events → the reader's tier.",
    triggers: [ROUTES_TRIGGER],
    // The subscribers table only through the subscriber service's update path; no token key: it issues no links.
    tables: [readWrite(billingTable), readWrite(subscribersTable)],
    stripeWebhookSecret: true,
  },
  'billing-sweeper': {
    description: 'Every 15 minutes: readers of past-due subscriptions whose paid period has ended become free.',
    triggers: [
      {
        kind: 'schedule',
        name: 'billing-sweeper',
        constructId: 'BillingSweepSchedule',
        description: 'Ends the paid period of past-due subscriptions',
        // A period end is a day boundary for a reader: a quarter of an hour late is no one's loss.
        when: { everyMinutes: 15 },
        input: {},
        // A missed sweep is the next one: ended periods stay listed until a sweep applies them.
        retryAttempts: 0,
        maxEventAgeSeconds: 15 * 60,
      },
    ],
    asyncInvoke: { retryAttempts: 0, maxEventAgeSeconds: 15 * 60 },
    tables: [readWrite(billingTable), readWrite(subscribersTable)],
    timeoutSeconds: 60,
  },
} as const satisfies Record<string, FunctionSpec>;

/** The one list of function names: CDK construct ids, handler files and local handlers all follow it. */
export type DispatchFunctionName = keyof typeof CATALOG;

export const FUNCTIONS: Readonly<Record<DispatchFunctionName, FunctionSpec>> = CATALOG;

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as DispatchFunctionName[];

type TriggerOf<N extends DispatchFunctionName> = (typeof CATALOG)[N]['triggers'][number];

/** Functions with a `routes` trigger: the only ones a route of `lambdas/routes.ts` may name. */
export type RoutedFunctionName = {
  [N in DispatchFunctionName]: RoutesTrigger extends TriggerOf<N> ? N : never;
}[DispatchFunctionName];

/** Every trigger of every function of one kind, with the function it starts, in catalog order. */
export function triggersOfKind<K extends TriggerKind>(
  kind: K,
): { readonly fn: DispatchFunctionName; readonly trigger: Extract<Trigger, { kind: K }> }[] {
  return FUNCTION_NAMES.flatMap((fn) =>
    FUNCTIONS[fn].triggers
      .filter((trigger): trigger is Extract<Trigger, { kind: K }> => trigger.kind === kind)
      .map((trigger) => ({ fn, trigger })),
  );
}

/** The one function with the `authorizer` trigger; the HTTP API has a single authorizer. */
export function authorizerFunction(): DispatchFunctionName {
  const authorizers = triggersOfKind('authorizer');
  const [first] = authorizers;
  if (first === undefined || authorizers.length > 1) {
    throw new Error(`Expected exactly one authorizer in the app model, found ${authorizers.length}`);
  }
  return first.fn;
}
