/**
 * The one definition of Dispatch's tables, buckets and queues. The CDK stateful stack builds them from here
 * and the local stack creates the same tables in dynalite and buckets in s3rver, so key schemas and index
 * names exist exactly once. Plain data: no AWS imports, so Lambdas, lib/ and local/ can all read it.
 */
export interface KeyDefinition {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  name: string;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
}

export interface TableDefinition {
  /** Logical id in the CDK app and env var suffix: `TABLE_<ENV>`. */
  id: string;
  env: string;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  indexes: IndexDefinition[];
  stream: boolean;
  timeToLiveAttribute?: string;
}

const S = (name: string): KeyDefinition => ({ name, type: 'S' });

export const reportsTable = {
  id: 'Reports',
  env: 'REPORTS',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  indexes: [
    /** Sparse: only published, live reports carry `listing`. Newest first by `sortKey` = publishAt#id. */
    { name: 'byListing', partitionKey: S('listing'), sortKey: S('sortKey') },
    /** Tag entries (one item per report and tag) ordered like the listing. */
    { name: 'byTag', partitionKey: S('tagKey'), sortKey: S('sortKey') },
    /**
     * Every report item of a series, newest first; the series feeds and page keep the listed ones. Keyed on the
     * `series` every report item already carries, so DynamoDB backfills it from the existing items (a sparse key
     * written only while listed would leave reports stored before the index out of their series until edited).
     */
    { name: 'bySeries', partitionKey: S('series'), sortKey: S('sortKey') },
    /** Every report, for the editors' list, newest first (`kind` = 'report' on report items only). */
    { name: 'byKind', partitionKey: S('kind'), sortKey: S('sortKey') },
    /** Sparse: reports with a pending time transition (publishAt or freeAt in the future). */
    { name: 'byDue', partitionKey: S('dueKey'), sortKey: S('dueAt') },
  ],
  stream: true,
} as const satisfies TableDefinition;

/**
 * The key of a report item in the reports table (`REPORT#<id>` / `REPORT`). Its other items share the partition
 * (tag entries `TAG#…`, revisions `REV#…`) or have their own (slug claims, leak status), so a report item is
 * the one with both this partition prefix and this sort key: the stream consumers' filter relies on it.
 */
export const REPORT_ITEM_KEY = { partitionKeyPrefix: 'REPORT#', sortKey: 'REPORT' } as const;

/** Leak-scan status items in the reports table (`LEAK#<reportId>`); the feed publisher may write only these. */
export const LEAK_STATUS_KEY_PREFIX = 'LEAK#';

export const editorsTable = {
  id: 'Editors',
  env: 'EDITORS',
  partitionKey: S('tokenHash'),
  indexes: [
    { name: 'byEditorId', partitionKey: S('editorId') },
    /**
     * The admins' list of editors without a Scan: every editor item has a role and a createdAt, so the index
     * holds them all (existing ones too, once DynamoDB has backfilled it) in two partitions, oldest first.
     */
    { name: 'byRole', partitionKey: S('role'), sortKey: S('createdAt') },
  ],
  stream: false,
} as const satisfies TableDefinition;

export const subscribersTable = {
  id: 'Subscribers',
  env: 'SUBSCRIBERS',
  partitionKey: S('email'),
  indexes: [
    { name: 'byStatus', partitionKey: S('status'), sortKey: S('email') },
    { name: 'bySubscriberId', partitionKey: S('subscriberId') },
  ],
  stream: false,
} as const satisfies TableDefinition;

export const digestsTable = {
  id: 'Digests',
  env: 'DIGESTS',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  indexes: [
    /**
     * Sparse: edition items are the only ones with both `trigger` and `id` (window claims have `editionId`), so
     * the admins' list of editions reads two partitions (manual, schedule), newest first by ULID, without a Scan,
     * and includes editions written before the index existed.
     */
    { name: 'byTrigger', partitionKey: S('trigger'), sortKey: S('id') },
  ],
  stream: false,
} as const satisfies TableDefinition;

export const idempotencyTable = {
  id: 'Idempotency',
  env: 'IDEMPOTENCY',
  partitionKey: S('key'),
  indexes: [],
  stream: false,
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/** Fixed-window request counters (`core/rate-limit.ts`); items expire by TTL a minute after their window. */
export const rateLimitsTable = {
  id: 'RateLimits',
  env: 'RATE_LIMITS',
  partitionKey: S('key'),
  indexes: [],
  stream: false,
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/**
 * Stripe billing state, apart from the subscribers table so that table stays payment-agnostic and only the billing
 * functions may touch payment data. Per Stripe customer (`CUSTOMER#<cus_…>`): the address it pays for (`PROFILE`)
 * and one entitlement per subscription or one-off checkout (`ENTITLEMENT#<sub_…|cs_…>`, the last applied snapshot
 * with its event time). Per processed event (`EVENT#<evt_…>`): a marker that expires by TTL once Stripe has long
 * stopped retrying it.
 */
export const billingTable = {
  id: 'Billing',
  env: 'BILLING',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  indexes: [
    /** Sparse: `past_due` entitlements that are paid until `dueAt` (ISO 8601); the billing sweeper ends them. */
    { name: 'byDue', partitionKey: S('dueKey'), sortKey: S('dueAt') },
  ],
  stream: false,
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

export const TABLES: readonly TableDefinition[] = [
  reportsTable,
  editorsTable,
  subscribersTable,
  digestsTable,
  idempotencyTable,
  rateLimitsTable,
  billingTable,
];

export interface BucketDefinition {
  id: string;
  env: string;
  /** Browsers PUT presigned uploads into it (the editor console's image upload), so it answers CORS for PUT. */
  browserUploads?: true;
}

/**
 * The CORS rule of a bucket with `browserUploads`, for the CDK stack and s3rver alike. Any origin, PUT only: the
 * presigned URL is the credential (one key, type, size and hash, for minutes), and CORS only decides which pages
 * may read S3's answer to it; a script outside a browser ignores CORS anyway.
 */
export const BROWSER_UPLOAD_CORS = {
  allowedMethods: ['PUT'],
  allowedOrigins: ['*'],
  allowedHeaders: ['*'],
  maxAgeSeconds: 600,
} as const;

/** Public files served by CloudFront: feeds, pages, archive, uploaded images (media/) and the editor console. */
export const siteBucket = { id: 'Site', env: 'SITE_BUCKET', browserUploads: true } as const satisfies BucketDefinition;
/** Subscriber-only parts, sources, compiled editions and private feeds. Never public. */
export const vaultBucket = { id: 'Vault', env: 'VAULT_BUCKET' } as const satisfies BucketDefinition;
export const BUCKETS: readonly BucketDefinition[] = [siteBucket, vaultBucket];

/** Vault key prefixes; IAM grants are scoped to them. */
export const VAULT_PREFIX = {
  paid: 'paid/',
  source: 'source/',
  editions: 'editions/',
  privateFeeds: 'private-feeds/',
} as const;

/** The paid edition as a page (a complete HTML document), served to signed-in paid readers at `/members/editions/{id}/`. */
export const paidEditionPageKey = (editionId: string): string => `${VAULT_PREFIX.editions}${editionId}/page.html`;

export interface QueueDefinition {
  id: string;
  env: string;
  /** Deliveries before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  batchSize: number;
}

/** Editions to plan: fed by the digest schedule and POST /api/digests. */
export const planQueue = {
  id: 'PlanQueue',
  env: 'PLAN_QUEUE_URL',
  maxReceiveCount: 3,
  visibilityTimeoutSeconds: 360,
  batchSize: 1,
} as const satisfies QueueDefinition;

/** Batches of recipients for the mail sender. */
export const mailQueue = {
  id: 'MailQueue',
  env: 'MAIL_QUEUE_URL',
  maxReceiveCount: 5,
  visibilityTimeoutSeconds: 180,
  batchSize: 10,
} as const satisfies QueueDefinition;

/**
 * Public sign-ups, queued by the API before it answers 202 (the request never waits for SES and never looks the
 * address up); the sign-up worker decides and sends the confirmation mail.
 */
export const signUpQueue = {
  id: 'SignUpQueue',
  env: 'SIGN_UP_QUEUE_URL',
  maxReceiveCount: 5,
  visibilityTimeoutSeconds: 120,
  batchSize: 10,
} as const satisfies QueueDefinition;

export const QUEUES: readonly QueueDefinition[] = [planQueue, mailQueue, signUpQueue];
