import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  HttpMethods,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  BROWSER_UPLOAD_CORS,
  type BucketDefinition,
  BUCKETS,
  editorsTable,
  type KeyDefinition,
  type QueueDefinition,
  QUEUES,
  siteBucket,
  type TableDefinition,
  TABLES,
} from '../lambdas/adapters/data-model';
import { WorkQueue } from './constructs/work-queue';

/** Everything the stateless stack needs from the stateful one, by type rather than by export name. */
export interface DispatchData {
  table(definition: TableDefinition): Table;
  bucket(definition: BucketDefinition): Bucket;
  workQueue(definition: QueueDefinition): WorkQueue;
  /**
   * The bucket ARN as an explicitly named export, for IAM resources in other stacks: a stable name keeps
   * prefix-scoped statements (and their cdk-nag acknowledgements) readable, e.g. `DispatchStateful-VaultBucketArn/paid/*`.
   */
  exportedBucketArn(definition: BucketDefinition): ExportedArn;
  /** Terminal destination for events Lambda gave up on: stream batches, SNS feedback, scheduler invocations. */
  readonly failedEventsQueue: Queue;
  /** HMAC key for subscriber tokens (confirm, unsubscribe, private feed). */
  readonly tokenSecret: Secret;
  /** Stripe's webhook signing secret (`whsec_…`), pasted in by the operator (README, Billing). */
  readonly stripeWebhookSecret: Secret;
}

export interface ExportedArn {
  /** The export's name, as cdk-nag prints it in findings. */
  readonly exportName: string;
  /** `Fn::ImportValue` of the export, usable in any stack of the app. */
  readonly value: string;
}

export type DispatchStatefulStackProps = StackProps;

const attribute = (key: KeyDefinition): { name: string; type: AttributeType } => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * Data that must survive any redeploy: the tables, the site and vault buckets, the work queues (their messages
 * are in-flight state) and the token key. Every resource is built from `lambdas/adapters/data-model.ts` and
 * retained on deletion.
 */
export class DispatchStatefulStack extends Stack implements DispatchData {
  public readonly tables: ReadonlyMap<string, Table>;
  public readonly buckets: ReadonlyMap<string, Bucket>;
  public readonly workQueues: ReadonlyMap<string, WorkQueue>;
  /** Receives the S3 server access logs of the site and vault buckets. */
  public readonly accessLogsBucket: Bucket;
  public readonly failedEventsQueue: Queue;
  public readonly tokenSecret: Secret;
  public readonly stripeWebhookSecret: Secret;
  private readonly bucketArnExports = new Map<string, ExportedArn>();

  constructor(scope: Construct, id: string, props?: DispatchStatefulStackProps) {
    super(scope, id, props);

    this.tables = new Map(TABLES.map((definition) => [definition.id, this.buildTable(definition)]));
    // Operators need the editors table name once, to create the first admin (README, Deploy).
    new CfnOutput(this, 'EditorsTableName', { value: this.table(editorsTable).tableName });

    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      ...this.privateBucketDefaults(),
      // The log sink itself is not logged (that would loop). Log objects only need to live long enough for an audit.
      versioned: false,
      lifecycleRules: [
        {
          expiration: Duration.days(365),
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
        },
      ],
    });

    this.buckets = new Map(BUCKETS.map((definition) => [definition.id, this.buildBucket(definition)]));
    this.allowCloudFrontToReadSite(this.bucket(siteBucket));

    this.workQueues = new Map(
      QUEUES.map((definition) => [definition.id, new WorkQueue(this, definition.id, { definition })]),
    );

    this.failedEventsQueue = new Queue(this, 'FailedEventsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.failedEventsQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination (stream on-failure, SNS and scheduler invocations); an alarm watches its depth.',
    });

    this.tokenSecret = new Secret(this, 'TokenSecret', {
      description: 'HMAC key for subscriber tokens (confirmation, unsubscribe, private feed URLs).',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the token key would invalidate every private feed URL and unsubscribe link already mailed; rotation is a deliberate operator action with a key-versioning plan, not a schedule.',
    });

    // Stripe generates this value; until the operator pastes it in, the placeholder fails the webhook's cold start
    // (it is no whsec_ value) and Stripe retries its events meanwhile.
    this.stripeWebhookSecret = new Secret(this, 'StripeWebhookSecret', {
      description:
        "Stripe's webhook signing secret (whsec_…) for POST /api/billing/stripe; paste it from the Stripe dashboard.",
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.stripeWebhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Stripe generates and rolls the webhook signing secret (Dashboard, "Roll secret"); the operator pastes the new value in. Secrets Manager cannot rotate it.',
    });
    new CfnOutput(this, 'StripeWebhookSecretArn', {
      description: "Put Stripe's whsec_… signing secret here (README, Billing)",
      value: this.stripeWebhookSecret.secretArn,
    });
  }

  table(definition: TableDefinition): Table {
    return required(this.tables, definition.id, 'table');
  }

  bucket(definition: BucketDefinition): Bucket {
    return required(this.buckets, definition.id, 'bucket');
  }

  workQueue(definition: QueueDefinition): WorkQueue {
    return required(this.workQueues, definition.id, 'queue');
  }

  exportedBucketArn(definition: BucketDefinition): ExportedArn {
    let exported = this.bucketArnExports.get(definition.id);
    if (exported === undefined) {
      const exportName = `${this.stackName}-${definition.id}BucketArn`;
      const value = this.exportValue(this.bucket(definition).bucketArn, { name: exportName });
      exported = { exportName, value };
      this.bucketArnExports.set(definition.id, exported);
    }
    return exported;
  }

  private buildTable(definition: TableDefinition): Table {
    const table = new Table(this, `${definition.id}Table`, {
      partitionKey: attribute(definition.partitionKey),
      sortKey: definition.sortKey === undefined ? undefined : attribute(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      stream: definition.stream ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
      timeToLiveAttribute: definition.timeToLiveAttribute,
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey === undefined ? undefined : attribute(index.sortKey),
      });
    }
    return table;
  }

  private privateBucketDefaults(): BucketProps {
    return {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
  }

  private buildBucket(definition: BucketDefinition): Bucket {
    return new Bucket(this, `${definition.id}Bucket`, {
      ...this.privateBucketDefaults(),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${definition.id.toLowerCase()}/`,
      // Feeds and pages are rewritten on every publish; old versions only serve as an undo window.
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      ...(definition.browserUploads === true
        ? {
            cors: [
              {
                allowedMethods: BROWSER_UPLOAD_CORS.allowedMethods.map((method) => HttpMethods[method]),
                allowedOrigins: [...BROWSER_UPLOAD_CORS.allowedOrigins],
                allowedHeaders: [...BROWSER_UPLOAD_CORS.allowedHeaders],
                maxAge: BROWSER_UPLOAD_CORS.maxAgeSeconds,
              },
            ],
          }
        : {}),
    });
  }

  /**
   * The distribution lives in the stateless stack, so the site bucket cannot name it without a cross-stack
   * cycle. Any distribution of this account may read the site bucket through OAC: it only holds public files
   * (the vault has no such statement and is never a CloudFront origin).
   */
  private allowCloudFrontToReadSite(bucket: Bucket): void {
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudFrontOriginAccessControlRead',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        // ListBucket turns a missing page into a 404 instead of a 403; the bucket holds only public files.
        actions: ['s3:GetObject', 's3:ListBucket'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
        conditions: {
          StringEquals: { 'AWS:SourceAccount': this.account },
          ArnLike: { 'AWS:SourceArn': `arn:${this.partition}:cloudfront::${this.account}:distribution/*` },
        },
      }),
    );
  }
}

function required<T>(map: ReadonlyMap<string, T>, id: string, kind: string): T {
  const value = map.get(id);
  if (value === undefined) {
    throw new Error(`No ${kind} "${id}" in the stateful stack; is it listed in lambdas/adapters/data-model.ts?`);
  }
  return value;
}
