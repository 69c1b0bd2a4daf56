import { BUCKETS, QUEUES, TABLES, type QueueDefinition, type TableDefinition } from '../../lambdas/adapters/data-model';
import { localBucketName, localTableName } from '../../local/stack';
import type { LocalEquivalents, ReferencedResource } from './template-values';

/**
 * The explicit mapping from what the synthesized templates reference to what stands in for it locally. Names
 * follow the local stack's (`dispatch-reports`, `dispatch-site`…); ARNs use the local region and account. A
 * resource or attribute missing from this table makes resolution fail: the verifier never invents a value.
 */

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** The local stack's queue naming (`local/stack.ts` keeps its own copy private). */
export const localQueueName = (definition: QueueDefinition): string => `dispatch-${definition.id.toLowerCase()}`;
export const localQueueArn = (definition: QueueDefinition): string =>
  `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${localQueueName(definition)}`;
export const localTableArn = (definition: TableDefinition): string =>
  `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${localTableName(definition)}`;
export const localStreamArn = (definition: TableDefinition): string => `${localTableArn(definition)}/stream/local`;

/** The token HMAC key's stand-in in the local Secrets Manager endpoint (`secrets-endpoint.ts`). */
export const LOCAL_TOKEN_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:dispatch-token-secret-local`;
/** Stripe's webhook signing secret's stand-in in the same endpoint. */
export const LOCAL_STRIPE_WEBHOOK_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:dispatch-stripe-webhook-secret-local`;
/** The configuration set name the local stack hands its functions; the SES emulator accepts any. */
export const LOCAL_CONFIGURATION_SET = 'dispatch-local';
export const LOCAL_FEEDBACK_TOPIC_ARN = `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:dispatch-ses-feedback`;
export const localFunctionName = (name: string): string => `dispatch-${name}`;
export const localFunctionArn = (name: string): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${localFunctionName(name)}`;

/** One row of the mapping: a resource by type and construct path, and its local `Ref` and attributes. */
export interface Equivalent {
  readonly type: string;
  /** Construct path inside its stack, e.g. `ReportsTable/Resource`. */
  readonly path: string | RegExp;
  /** What stands in for it, for the verbose listing. */
  readonly local: string;
  /** Read when a template asks for it: queue URLs exist only once the SQS endpoint listens. */
  readonly ref?: () => string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The mapping, given the local queue URLs (they carry the SQS endpoint's port). */
export function localEquivalentTable(queueUrl: (definition: QueueDefinition) => string): Equivalent[] {
  return [
    ...TABLES.map((table) => ({
      type: 'AWS::DynamoDB::Table',
      path: `${table.id}Table/Resource`,
      local: `dynalite table ${localTableName(table)}`,
      ref: () => localTableName(table),
      attributes: { Arn: localTableArn(table), ...(table.stream ? { StreamArn: localStreamArn(table) } : {}) },
    })),
    ...BUCKETS.map((bucket) => ({
      type: 'AWS::S3::Bucket',
      path: `${bucket.id}Bucket/Resource`,
      local: `s3rver bucket ${localBucketName(bucket.id)}`,
      ref: () => localBucketName(bucket.id),
      attributes: { Arn: `arn:aws:s3:::${localBucketName(bucket.id)}` },
    })),
    ...QUEUES.map((queue) => ({
      type: 'AWS::SQS::Queue',
      path: `${queue.id}/Queue/Resource`,
      local: `local SQS queue ${localQueueName(queue)}`,
      ref: () => queueUrl(queue),
      attributes: { Arn: localQueueArn(queue), QueueName: localQueueName(queue) },
    })),
    {
      type: 'AWS::SecretsManager::Secret',
      path: 'TokenSecret/Resource',
      local: 'the verifier’s Secrets Manager stand-in',
      ref: () => LOCAL_TOKEN_SECRET_ARN,
    },
    {
      type: 'AWS::SecretsManager::Secret',
      path: 'StripeWebhookSecret/Resource',
      local: 'the verifier’s Secrets Manager stand-in',
      ref: () => LOCAL_STRIPE_WEBHOOK_SECRET_ARN,
    },
    {
      type: 'AWS::SES::ConfigurationSet',
      path: 'Mail/ConfigurationSet',
      local: `configuration set ${LOCAL_CONFIGURATION_SET} (aws-ses-v2-local accepts any)`,
      ref: () => LOCAL_CONFIGURATION_SET,
    },
    {
      type: 'AWS::SNS::Topic',
      path: 'Mail/FeedbackTopic/Resource',
      local: 'SES feedback played by local/ses-feedback-poller.ts',
      ref: () => LOCAL_FEEDBACK_TOPIC_ARN,
    },
    {
      type: 'AWS::Lambda::Function',
      path: /^(\w+)Function\/Resource$/,
      local: 'the function’s own bundle process',
    },
  ];
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The app-model name the function construct puts in `POWERTOOLS_SERVICE_NAME`. */
function serviceName(target: ReferencedResource): string | undefined {
  const variables = (target.resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
  const name = variables?.POWERTOOLS_SERVICE_NAME;
  return typeof name === 'string' ? name : undefined;
}

function matches(equivalent: Equivalent, target: ReferencedResource): boolean {
  if (equivalent.type !== target.resource.Type) return false;
  return typeof equivalent.path === 'string'
    ? equivalent.path === target.path || target.path.startsWith(`${equivalent.path}/`)
    : equivalent.path.test(target.path);
}

/** `LocalEquivalents` over the table; Lambda function ARNs are derived from the function's app-model name. */
export function localEquivalents(table: readonly Equivalent[]): LocalEquivalents {
  const find = (target: ReferencedResource): Equivalent | undefined => table.find((row) => matches(row, target));
  return {
    ref(target) {
      // A function's Ref is its name; the local one is derived from its app-model name.
      if (target.resource.Type === 'AWS::Lambda::Function' && find(target) !== undefined) {
        const name = serviceName(target);
        return name === undefined ? undefined : localFunctionName(name);
      }
      return find(target)?.ref?.();
    },
    getAtt(target, attribute) {
      if (target.resource.Type === 'AWS::Lambda::Function' && attribute === 'Arn' && find(target) !== undefined) {
        const name = serviceName(target);
        return name === undefined ? undefined : localFunctionArn(name);
      }
      return find(target)?.attributes?.[attribute];
    },
    pseudoParameter: (name) => PSEUDO_PARAMETERS[name],
  };
}
