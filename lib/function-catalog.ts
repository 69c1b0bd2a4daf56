import {
  digestsTable,
  editorsTable,
  idempotencyTable,
  mailQueue,
  planQueue,
  type QueueDefinition,
  rateLimitsTable,
  signUpQueue,
  LEAK_STATUS_KEY_PREFIX,
  reportsTable,
  subscribersTable,
  type TableDefinition,
  VAULT_PREFIX,
} from '../lambdas/adapters/data-model';

/**
 * Every Lambda of Dispatch and exactly what it may touch. The stateless stack turns each line into IAM
 * statements and environment variables, and the infra tests assert the result, so this file is the one place to
 * read (and review) least privilege. Anything not listed here is denied.
 */

export type DispatchFunctionName =
  | 'health'
  | 'authorizer'
  | 'editors-api'
  | 'reports-api'
  | 'feed-publisher'
  | 'private-feed-builder'
  | 'private-feed'
  | 'release-sweeper'
  | 'subscribers-api'
  | 'sign-up-worker'
  | 'digests-api'
  | 'digest-planner'
  | 'mail-sender'
  | 'ses-feedback';

export type TableAccessMode = 'read' | 'readWrite';

export interface TableAccess {
  readonly table: TableDefinition;
  readonly mode: TableAccessMode;
}

export type VaultPrefix = (typeof VAULT_PREFIX)[keyof typeof VAULT_PREFIX];

export interface FunctionSpec {
  readonly description: string;
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
  /** Queues the function sends to; their URLs arrive under each definition's `env` name. */
  readonly sendsTo?: readonly QueueDefinition[];
  /** `secretsmanager:GetSecretValue` on the token HMAC key. */
  readonly tokenSecret?: boolean;
  /** `ses:SendEmail` on the sender identity and the configuration set, from the sender address only. */
  readonly sendsEmail?: boolean;
  /** Project directories shipped next to the bundle, e.g. `templates` (MJML read at run time). */
  readonly copyIntoBundle?: readonly string[];
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
}

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

/** The MJML digest templates; `lambdas/render/templates.ts` reads them from `./templates/` next to the bundle. */
const DIGEST_TEMPLATES = ['templates'] as const;

const read = (table: TableDefinition): TableAccess => ({ table, mode: 'read' });
const readWrite = (table: TableDefinition): TableAccess => ({ table, mode: 'readWrite' });
const { paid, source, editions, privateFeeds } = VAULT_PREFIX;

export const FUNCTIONS: Readonly<Record<DispatchFunctionName, FunctionSpec>> = {
  health: {
    description: 'GET /api/health: answers when the stack is up.',
  },
  authorizer: {
    description: 'HTTP API authorizer: editor token → role, checked against the route key.',
    tables: [read(editorsTable)],
  },
  'editors-api': {
    description: 'Admin API: create and revoke editor tokens.',
    tables: [readWrite(editorsTable)],
  },
  'reports-api': {
    description: 'Editor API: create, list, read, correct and unpublish reports.',
    // Digests: an unpublish or a correction pauses the editions still sending the report.
    tables: [readWrite(reportsTable), readWrite(idempotencyTable), readWrite(digestsTable)],
    vault: { get: [paid, source], put: [paid, source] },
  },
  'feed-publisher': {
    description: 'Reports stream → public feeds, pages and archive in the site bucket. No vault access by design.',
    tables: [read(reportsTable)],
    keyedWrites: [{ table: reportsTable, leadingKeyPrefix: LEAK_STATUS_KEY_PREFIX }],
    siteReadWrite: true,
  },
  'private-feed-builder': {
    description: 'Reports stream → full-text private feeds in the vault.',
    tables: [read(reportsTable)],
    vault: { get: [paid], put: [privateFeeds] },
  },
  'private-feed': {
    description: 'GET /feeds/private/{token}/{file}: serves a paid subscriber their full-text feed.',
    tables: [read(subscribersTable)],
    vault: { get: [privateFeeds] },
    tokenSecret: true,
  },
  'release-sweeper': {
    description: 'Every minute: publishes scheduled reports and frees reports whose freeAfter has passed.',
    tables: [readWrite(reportsTable)],
    vault: { get: [paid] },
    timeoutSeconds: 50,
  },
  'subscribers-api': {
    description:
      'Subscribe (counted per address and queued), confirm, unsubscribe (public) and subscriber administration (admin).',
    tables: [readWrite(subscribersTable), readWrite(rateLimitsTable)],
    sendsTo: [signUpQueue],
    tokenSecret: true,
  },
  'sign-up-worker': {
    description: 'Sign-up queue → creates pending subscribers and sends confirmation mails through SES.',
    tables: [readWrite(subscribersTable)],
    tokenSecret: true,
    sendsEmail: true,
    timeoutSeconds: 30,
  },
  'digests-api': {
    description: 'Admin API: send an edition now, follow its progress, preview it.',
    copyIntoBundle: DIGEST_TEMPLATES,
    tables: [readWrite(digestsTable), read(reportsTable)],
    vault: { get: [paid] },
    sendsTo: [planQueue],
    memorySize: 1024,
    timeoutSeconds: 29,
  },
  'digest-planner': {
    description: 'Plan queue → compiles an edition per tier and fans recipients out to the mail queue.',
    copyIntoBundle: DIGEST_TEMPLATES,
    tables: [read(reportsTable), read(subscribersTable), readWrite(digestsTable)],
    vault: { get: [paid, editions], put: [editions] },
    sendsTo: [mailQueue],
    memorySize: 1024,
    timeoutSeconds: 300,
  },
  'mail-sender': {
    description: 'Mail queue → sends compiled editions through SES at the publication send rate.',
    copyIntoBundle: DIGEST_TEMPLATES,
    tables: [read(subscribersTable), readWrite(digestsTable)],
    vault: { get: [editions] },
    tokenSecret: true,
    sendsEmail: true,
    timeoutSeconds: 30,
  },
  'ses-feedback': {
    description: 'SES bounce, complaint and delivery events → subscriber status and edition progress.',
    tables: [readWrite(subscribersTable), readWrite(digestsTable)],
  },
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as DispatchFunctionName[];
