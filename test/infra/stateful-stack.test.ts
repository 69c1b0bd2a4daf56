import { Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, TABLES } from '../../lambdas/adapters/data-model';
import { synthDispatch } from './dispatch-app';

const keySchema = (partition: string, sort?: string): object[] =>
  sort === undefined
    ? [{ AttributeName: partition, KeyType: 'HASH' }]
    : [
        { AttributeName: partition, KeyType: 'HASH' },
        { AttributeName: sort, KeyType: 'RANGE' },
      ];

describe('stateful stack', () => {
  let template: Template;
  beforeAll(() => {
    template = synthDispatch().statefulTemplate;
  });

  describe('tables', () => {
    it('has exactly one table per data-model definition', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
    });

    it.each(TABLES.map((table) => [table.id, table] as const))('%s matches its definition', (_id, table) => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          KeySchema: keySchema(table.partitionKey.name, table.sortKey?.name),
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          // SSEEnabled without a key: KMS with the AWS-managed key aws/dynamodb.
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
          StreamSpecification: table.stream ? { StreamViewType: 'NEW_AND_OLD_IMAGES' } : Match.absent(),
          TimeToLiveSpecification:
            table.timeToLiveAttribute === undefined
              ? Match.absent()
              : { AttributeName: table.timeToLiveAttribute, Enabled: true },
          GlobalSecondaryIndexes:
            table.indexes.length === 0
              ? Match.absent()
              : table.indexes.map((index) =>
                  Match.objectLike({
                    IndexName: index.name,
                    KeySchema: keySchema(index.partitionKey.name, index.sortKey?.name),
                    Projection: { ProjectionType: 'ALL' },
                  }),
                ),
        }),
      });
    });

    it('streams the reports table with old and new images', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: keySchema('pk', 'sk'),
        GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'byListing' })]),
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      });
    });
  });

  describe('buckets', () => {
    const bucketIds = (): string[] =>
      Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => /^(Site|Vault)Bucket/.test(id));

    it('has the site and vault buckets, retained, encrypted, versioned, private, logged', () => {
      expect(bucketIds()).toHaveLength(2);
      for (const id of bucketIds()) {
        const bucket = template.findResources('AWS::S3::Bucket')[id];
        expect(bucket).toMatchObject({
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
            },
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              BlockPublicPolicy: true,
              IgnorePublicAcls: true,
              RestrictPublicBuckets: true,
            },
            VersioningConfiguration: { Status: 'Enabled' },
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
            LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogsBucket/) } },
          },
        });
      }
    });

    it.each(['Site', 'Vault'])('%s bucket policy denies every request without TLS', (name) => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp(`^${name}Bucket`) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('lets only CloudFront of this account read the site bucket, and nobody read the vault', () => {
      const sitePolicy = new Capture();
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^SiteBucket') },
        PolicyDocument: { Statement: sitePolicy },
      });
      const allows = (sitePolicy.asArray() as { Effect: string }[]).filter((statement) => statement.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: ['s3:GetObject', 's3:ListBucket'],
          Condition: expect.objectContaining({ StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } } }),
        }),
      ]);

      const vaultPolicy = new Capture();
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^VaultBucket') },
        PolicyDocument: { Statement: vaultPolicy },
      });
      expect((vaultPolicy.asArray() as { Effect: string }[]).every((statement) => statement.Effect === 'Deny')).toBe(
        true,
      );
    });
  });

  describe('queues', () => {
    it.each(QUEUES.map((queue) => [queue.id, queue] as const))(
      '%s has a DLQ after maxReceiveCount deliveries, SSE and TLS-only',
      (id, queue) => {
        const dlq = new Capture();
        template.hasResource('AWS::SQS::Queue', {
          DeletionPolicy: 'Retain',
          Properties: {
            VisibilityTimeout: queue.visibilityTimeoutSeconds,
            SqsManagedSseEnabled: true,
            MessageRetentionPeriod: Match.anyValue(),
            RedrivePolicy: {
              deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
              maxReceiveCount: queue.maxReceiveCount,
            },
          },
        });
        expect(dlq.asString()).toMatch(new RegExp(`^${id}DeadLetterQueue`));
        for (const logical of [`${id}(Queue)?`, `${id}DeadLetterQueue`]) {
          template.hasResourceProperties('AWS::SQS::QueuePolicy', {
            Queues: [{ Ref: Match.stringLikeRegexp(`^${logical}[0-9A-F]{8}$`) }],
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
              ]),
            },
          });
        }
      },
    );

    it('keeps dead letters for the SQS maximum of 14 days', () => {
      const dlqs = template.findResources('AWS::SQS::Queue', {
        Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true, RedrivePolicy: Match.absent() },
      });
      expect(Object.keys(dlqs).sort()).toEqual([
        expect.stringMatching(/^FailedEventsQueue/),
        expect.stringMatching(/^MailQueueDeadLetterQueue/),
        expect.stringMatching(/^PlanQueueDeadLetterQueue/),
        expect.stringMatching(/^SignUpQueueDeadLetterQueue/),
      ]);
    });
  });

  it('generates the token HMAC key and retains it', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) }),
    });
  });

  it("keeps Stripe's webhook signing secret apart, retained, its ARN an output for the operator", () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ Description: Match.stringLikeRegexp('^Stripe.s webhook signing secret') }),
    });
    const outputs = Object.entries(template.findOutputs('*'));
    const output = outputs.find(([id]) => id === 'StripeWebhookSecretArn')?.[1] as { Value?: { Ref?: string } };
    expect(output?.Value?.Ref).toMatch(/^StripeWebhookSecret/);
  });

  it('exports the bucket ARNs under stable names for prefix-scoped IAM', () => {
    const outputs = template.findOutputs('*');
    const names = Object.values(outputs).map((output) => (output as { Export?: { Name: string } }).Export?.Name);
    expect(names).toEqual(
      expect.arrayContaining(['DispatchStateful-VaultBucketArn', 'DispatchStateful-SiteBucketArn']),
    );
  });
});
