import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  billingTable,
  digestsTable,
  editorsTable,
  idempotencyTable,
  LEAK_STATUS_KEY_PREFIX,
  rateLimitsTable,
  reportsTable,
  subscribersTable,
  type TableDefinition,
} from '../../lambdas/adapters/data-model';
import { CONSOLE_DEPLOYMENT_HANDLER_PREFIX, grantsOf, roleStatements, synthDispatch } from './dispatch-app';

/** Independent of the app model (lambdas/app-model.ts) on purpose: this is the least-privilege contract, written down. */
const itemRead = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'];
const itemWrite = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const name = (table: TableDefinition): string => `table:${table.id}`;
const read = (table: TableDefinition): string[] => [
  ...itemRead.map((action) => `${action} ${name(table)}`),
  ...table.indexes.map((index) => `dynamodb:Query ${name(table)}/index/${index.name}`),
];
const readWrite = (table: TableDefinition): string[] => [
  ...read(table),
  ...itemWrite.map((action) => `${action} ${name(table)}`),
];
const logs = (fn: string): string[] => [`logs:CreateLogStream log-group:${fn}`, `logs:PutLogEvents log-group:${fn}`];
const sendTo = (queue: string): string[] =>
  ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((action) => `${action} queue:${queue}`);
const consume = (queue: string): string[] =>
  [
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:ReceiveMessage',
  ].map((action) => `${action} queue:${queue}`);
const streamRead = [
  'dynamodb:DescribeStream stream:Reports',
  'dynamodb:GetRecords stream:Reports',
  'dynamodb:GetShardIterator stream:Reports',
  'dynamodb:ListStreams *',
];
const tokenSecret = ['secretsmanager:DescribeSecret secret:Token', 'secretsmanager:GetSecretValue secret:Token'];
const stripeWebhookSecret = [
  'secretsmanager:DescribeSecret secret:StripeWebhook',
  'secretsmanager:GetSecretValue secret:StripeWebhook',
];
const sendEmail = ['ses:SendEmail ses:configuration-set', 'ses:SendEmail ses:identity'];
/** Active tracing on every function: X-Ray's write actions have no resource-level permission. */
const tracing = ['xray:PutTelemetryRecords *', 'xray:PutTraceSegments *'];

const EXPECTED: Record<string, string[]> = {
  Health: logs('Health'),
  Authorizer: [...logs('Authorizer'), ...read(editorsTable)],
  EditorsApi: [...logs('EditorsApi'), ...readWrite(editorsTable)],
  ReportsApi: [
    ...logs('ReportsApi'),
    ...readWrite(reportsTable),
    ...readWrite(idempotencyTable),
    // An unpublish or a correction pauses the editions still sending the report…
    ...readWrite(digestsTable),
    // …and asks the planner to write the pages of every edition listing it again.
    ...sendTo('PlanQueue'),
    's3:GetObject vault/paid/*',
    's3:GetObject vault/source/*',
    's3:PutObject vault/paid/*',
    's3:PutObject vault/source/*',
  ],
  // Image uploads: the media/ objects of the site bucket, nothing else of it, and no table.
  MediaApi: [
    ...logs('MediaApi'),
    's3:DeleteObject site/media/*',
    's3:GetObject site/media/*',
    's3:PutObject site/media/*',
    's3:ListBucket site',
  ],
  FeedPublisher: [
    ...logs('FeedPublisher'),
    ...read(reportsTable),
    'dynamodb:PutItem table:Reports',
    ...streamRead,
    ...sendTo('FailedEventsQueue'),
    's3:DeleteObject site/*',
    's3:GetObject site/*',
    's3:PutObject site/*',
    's3:ListBucket site',
  ],
  PrivateFeedBuilder: [
    ...logs('PrivateFeedBuilder'),
    ...read(reportsTable),
    ...streamRead,
    ...sendTo('FailedEventsQueue'),
    's3:GetObject vault/paid/*',
    's3:PutObject vault/private-feeds/*',
  ],
  PrivateFeed: [
    ...logs('PrivateFeed'),
    ...read(subscribersTable),
    ...tokenSecret,
    's3:GetObject vault/private-feeds/*',
  ],
  ReleaseSweeper: [...logs('ReleaseSweeper'), ...readWrite(reportsTable), 's3:GetObject vault/paid/*'],
  // Sign-ups are counted and queued; the API sends no mail (the timing would tell who subscribes).
  SubscribersApi: [
    ...logs('SubscribersApi'),
    ...readWrite(subscribersTable),
    ...readWrite(rateLimitsTable),
    ...sendTo('SignUpQueue'),
    ...tokenSecret,
  ],
  SignUpWorker: [
    ...logs('SignUpWorker'),
    ...readWrite(subscribersTable),
    ...consume('SignUpQueue'),
    ...tokenSecret,
    ...sendEmail,
  ],
  // Member sign-in and pages: the sign-in and session versions (single-use links, logout), reports by slug, paid
  // parts and paid edition pages from the vault (read only), logins queued for the sign-up worker. No SES.
  Members: [
    ...logs('Members'),
    ...readWrite(subscribersTable),
    ...read(reportsTable),
    ...sendTo('SignUpQueue'),
    ...tokenSecret,
    's3:GetObject vault/paid/*',
    's3:GetObject vault/editions/*',
  ],
  DigestsApi: [
    ...logs('DigestsApi'),
    ...readWrite(digestsTable),
    ...read(reportsTable),
    ...sendTo('PlanQueue'),
    // POST /api/digests/test: the previewed edition to one address.
    ...sendEmail,
    's3:GetObject vault/paid/*',
  ],
  DigestPlanner: [
    ...logs('DigestPlanner'),
    ...read(reportsTable),
    ...read(subscribersTable),
    ...readWrite(digestsTable),
    ...consume('PlanQueue'),
    ...sendTo('MailQueue'),
    's3:GetObject vault/paid/*',
    's3:GetObject vault/editions/*',
    's3:PutObject vault/editions/*',
    // The edition pages: the public ones under editions/ of the site bucket, nothing else of it.
    's3:PutObject site/editions/*',
  ],
  MailSender: [
    ...logs('MailSender'),
    ...read(subscribersTable),
    ...readWrite(digestsTable),
    ...consume('MailQueue'),
    ...tokenSecret,
    ...sendEmail,
    's3:GetObject vault/editions/*',
  ],
  SesFeedback: [
    ...logs('SesFeedback'),
    ...readWrite(subscribersTable),
    ...readWrite(digestsTable),
    ...sendTo('FailedEventsQueue'),
  ],
  // The signing secret and the two tables; no token key (it issues no links), no vault, no mail.
  BillingWebhook: [
    ...logs('BillingWebhook'),
    ...readWrite(billingTable),
    ...readWrite(subscribersTable),
    ...stripeWebhookSecret,
  ],
  // Ends grace periods: the same tables, and not the signing secret.
  BillingSweeper: [...logs('BillingSweeper'), ...readWrite(billingTable), ...readWrite(subscribersTable)],
};

describe('IAM per function', () => {
  let template: Template;
  beforeAll(() => {
    template = synthDispatch().statelessTemplate;
  });

  it.each(Object.keys(EXPECTED))('%s has exactly its listed permissions', (fn) => {
    const expected = [...new Set([...(EXPECTED[fn] ?? []), ...tracing])].sort();
    expect(grantsOf(roleStatements(template, `${fn}Function`))).toEqual(expected);
  });

  it('every statement is an Allow (no Deny tricks) and no action is a wildcard', () => {
    for (const fn of Object.keys(EXPECTED)) {
      for (const statement of roleStatements(template, `${fn}Function`)) {
        expect(statement.Effect).toBe('Allow');
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        for (const action of actions) expect(action).not.toContain('*');
      }
    }
  });

  it("only billing-webhook may read Stripe's signing secret, and it gets the secret's ARN, never its value", () => {
    const readers = Object.keys(EXPECTED).filter((fn) =>
      grantsOf(roleStatements(template, `${fn}Function`)).some((grant) => grant.endsWith('secret:StripeWebhook')),
    );
    expect(readers).toEqual(['BillingWebhook']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^POST /api/billing/stripe'),
      Environment: {
        Variables: Match.objectLike({
          STRIPE_WEBHOOK_SECRET_ARN: Match.objectLike({
            'Fn::ImportValue': Match.stringLikeRegexp('StripeWebhookSecret'),
          }),
          STRIPE_WEBHOOK_SECRET: Match.absent(),
          TOKEN_SECRET_ARN: Match.absent(),
          TABLE_BILLING: Match.anyValue(),
          TABLE_SUBSCRIBERS: Match.anyValue(),
        }),
      },
    });
  });

  it('feed-publisher has no statement that mentions the vault bucket at all', () => {
    const statements = roleStatements(template, 'FeedPublisherFunction');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(JSON.stringify(statement)).not.toMatch(/vault/i);
  });

  it('feed-publisher writes to the reports table only under the leak-status key prefix, never a report', () => {
    const writes = roleStatements(template, 'FeedPublisherFunction').filter((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:PutItem'),
    );
    expect(writes).toHaveLength(1);
    expect(writes[0]?.Action).toBe('dynamodb:PutItem');
    expect(writes[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${LEAK_STATUS_KEY_PREFIX}*`] },
    });
  });

  it('feed-publisher environment carries no vault bucket name', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Reports stream → public feeds'),
      Environment: { Variables: Match.objectLike({ SITE_BUCKET: Match.anyValue(), VAULT_BUCKET: Match.absent() }) },
    });
  });

  it('reports-api touches the vault only under paid/ and source/', () => {
    const vaultResources = roleStatements(template, 'ReportsApiFunction')
      .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
      .map((resource) => JSON.stringify(resource))
      .filter((text) => text.includes('VaultBucket'));
    expect(vaultResources.length).toBeGreaterThan(0);
    for (const text of vaultResources) expect(text).toMatch(/"\/(paid|source)\/\*"\]\]\}$/);
  });

  it('members reads the vault under paid/ and editions/ only, writes none of it and cannot list it', () => {
    const statements = roleStatements(template, 'MembersFunction');
    const vault = statements.filter((statement) => JSON.stringify(statement.Resource).includes('VaultBucket'));
    expect(vault.map((statement) => statement.Action)).toEqual(['s3:GetObject']);
    const resources = vault.flatMap((statement) =>
      (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((resource) =>
        JSON.stringify(resource),
      ),
    );
    expect(resources).toHaveLength(2);
    expect(resources.map((text) => /"\/(\w[\w-]*)\/\*"\]\]\}$/.exec(text)?.[1]).sort()).toEqual(['editions', 'paid']);
    for (const statement of statements)
      expect(JSON.stringify(statement.Action)).not.toMatch(/ListBucket|PutObject|ses:/);
  });

  it('digest-planner touches the site bucket with s3:PutObject on editions/* only', () => {
    const statements = roleStatements(template, 'DigestPlannerFunction');
    const resourcesOf = (statement: (typeof statements)[number]): string[] =>
      (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((resource) =>
        JSON.stringify(resource),
      );
    const site = statements.flatMap((statement) =>
      resourcesOf(statement)
        .filter((text) => text.includes('SiteBucket'))
        .map((text) => ({ action: statement.Action, text })),
    );
    expect(site).toHaveLength(1);
    expect(site[0]?.action).toBe('s3:PutObject');
    expect(site[0]?.text).toMatch(/SiteBucketArn"\},"\/editions\/\*"\]\]\}$/);
  });

  it('media-api may list the site bucket under media/ only, and touches no object outside it', () => {
    const statements = roleStatements(template, 'MediaApiFunction');
    const list = statements.filter((statement) => statement.Action === 's3:ListBucket');
    expect(list).toHaveLength(1);
    expect(list[0]?.Condition).toEqual({ StringLike: { 's3:prefix': ['media/*'] } });
    const objectResources = statements
      .filter((statement) => JSON.stringify(statement.Action).includes('Object'))
      .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
      .map((resource) => JSON.stringify(resource));
    expect(objectResources).toHaveLength(1);
    expect(objectResources[0]).toMatch(/SiteBucketArn.*"\/media\/\*"\]\]\}$/);
    for (const statement of statements) expect(JSON.stringify(statement)).not.toMatch(/vault|Table/i);
  });

  it('media-api environment names the site bucket and no table or vault', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Editor API: presigned image uploads'),
      Environment: {
        Variables: Match.objectLike({
          SITE_BUCKET: Match.anyValue(),
          VAULT_BUCKET: Match.absent(),
          TABLE_REPORTS: Match.absent(),
        }),
      },
    });
  });

  it("mail-sender's ses:SendEmail is scoped to the identity and configuration set, from the sender address", () => {
    const ses = roleStatements(template, 'MailSenderFunction').filter((statement) =>
      JSON.stringify(statement.Action).includes('ses:'),
    );
    expect(ses).toHaveLength(1);
    expect(ses[0]).toMatchObject({
      Action: 'ses:SendEmail',
      Condition: { StringEquals: { 'ses:FromAddress': 'digest@reports.example.org' } },
    });
    const resources = JSON.stringify(ses[0]?.Resource);
    expect(resources).toContain(':identity/');
    expect(resources).toContain(':configuration-set/');
    expect(resources).toContain('MailSenderIdentity');
    expect(resources).toContain('MailConfigurationSet');
    expect(resources).not.toContain('"*"');
  });

  it('only the sign-up worker, the mail sender and the digests API (test sends) may send mail', () => {
    const senders = Object.keys(EXPECTED).filter((fn) =>
      roleStatements(template, `${fn}Function`).some((statement) => JSON.stringify(statement.Action).includes('ses:')),
    );
    expect(senders.sort()).toEqual(['DigestsApi', 'MailSender', 'SignUpWorker']);
  });

  it('lists editors, subscribers and editions by Query on an index, and no function may Scan', () => {
    expect(grantsOf(roleStatements(template, 'EditorsApiFunction'))).toContain(
      'dynamodb:Query table:Editors/index/byRole',
    );
    expect(grantsOf(roleStatements(template, 'SubscribersApiFunction'))).toContain(
      'dynamodb:Query table:Subscribers/index/byStatus',
    );
    expect(grantsOf(roleStatements(template, 'DigestsApiFunction'))).toContain(
      'dynamodb:Query table:Digests/index/byTrigger',
    );
    for (const fn of Object.keys(EXPECTED)) {
      expect(grantsOf(roleStatements(template, `${fn}Function`)).join('\n')).not.toContain('dynamodb:Scan');
    }
  });

  it('function roles carry no AWS managed policy (logs go to their own log group only)', () => {
    const roles = Object.fromEntries(
      Object.entries(
        template.findResources('AWS::IAM::Role', {
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
            },
          },
        }),
      ).filter(([id]) => !id.startsWith(CONSOLE_DEPLOYMENT_HANDLER_PREFIX)),
    );
    expect(Object.keys(roles)).toHaveLength(18);
    for (const role of Object.values(roles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('each schedule has its own role, assumable by EventBridge Scheduler from this account only', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'scheduler.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ],
        },
      },
    });
    expect(Object.keys(roles).sort()).toEqual([
      expect.stringMatching(/^BillingSweepScheduleRole/),
      expect.stringMatching(/^DigestScheduleRole/),
      expect.stringMatching(/^ReleaseSweepScheduleRole/),
    ]);
  });
});
