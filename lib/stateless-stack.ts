import { CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type CfnFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import {
  mailQueue,
  planQueue,
  reportsTable,
  signUpQueue,
  siteBucket,
  vaultBucket,
  QUEUES,
} from '../lambdas/adapters/data-model';
import type { Publication } from '../lambdas/core/shared/publication';
import { ROUTES } from '../lambdas/routes';
import { DispatchAlarms } from './constructs/dispatch-alarms';
import { DispatchApi } from './constructs/dispatch-api';
import { DispatchDashboard } from './constructs/dispatch-dashboard';
import { type CodeOverride, DispatchFunction } from './constructs/dispatch-function';
import { EdgeDistribution } from './constructs/edge-distribution';
import { EdgeFirewall } from './constructs/edge-firewall';
import { MailDelivery } from './constructs/mail-delivery';
import {
  type DispatchFunctionName,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionSpec,
  type VaultPrefix,
  INDEX_READ_ACTIONS,
  SITE_OBJECT_ACTIONS,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
} from './function-catalog';
import { toScheduleCron } from './schedule-cron';
import type { DispatchData } from './stateful-stack';

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

/** Stream consumer settings shared by the feed publisher and the private feed builder. */
export const STREAM_CONSUMER = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(1),
  retryAttempts: 10,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  parallelizationFactor: 1,
} as const;

export interface DispatchStatelessStackProps extends StackProps {
  /** Publication settings (cdk.json context `dispatch`), already parsed. */
  readonly publication: Publication;
  /** Tables, buckets, queues and the token key from the stateful stack. */
  readonly data: DispatchData;
  /**
   * Replaces esbuild bundling of the handlers (tests only).
   * @default - every handler is bundled with esbuild
   */
  readonly codeOverride?: CodeOverride;
  /**
   * ARN of a CLOUDFRONT-scope web ACL built elsewhere (`DispatchEdgeFirewall`, in us-east-1), for a deployment
   * in another region: CloudFront web ACLs can only be created in us-east-1.
   * @default - the web ACL is built in this stack, which then must be deployed in us-east-1
   */
  readonly edgeWebAclArn?: string;
}

/** Scheduler only rejects an unknown IANA zone at deploy time; fail at synth instead. */
function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`Unknown digest time zone "${timeZone}" (expected an IANA name such as Europe/London)`);
  }
}

const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/**
 * Everything that can be redeployed without losing data: the functions (with exactly the access listed in
 * `function-catalog.ts`), their triggers, the HTTP API, CloudFront, the schedules, SES and the alarms.
 */
export class DispatchStatelessStack extends Stack {
  public readonly functions: ReadonlyMap<DispatchFunctionName, DispatchFunction>;
  public readonly mail: MailDelivery;
  public readonly api: DispatchApi;
  public readonly edge: EdgeDistribution;
  /** The web ACL with the per-client rate limits, when this stack builds it (see `edgeWebAclArn`). */
  public readonly firewall?: EdgeFirewall;
  public readonly digestSchedule: Schedule;
  public readonly releaseSweepSchedule: Schedule;
  public readonly alarms: DispatchAlarms;
  public readonly mailSenderMaxConcurrency: number;

  private readonly data: DispatchData;

  constructor(scope: Construct, id: string, props: DispatchStatelessStackProps) {
    super(scope, id, props);
    const { publication, data } = props;
    this.data = data;
    this.mailSenderMaxConcurrency = mailSenderConcurrency(publication.sendRatePerSecond);

    this.mail = new MailDelivery(this, 'Mail', { senderAddress: publication.senderAddress });

    const publicationJson = JSON.stringify(publication);
    const functions = new Map<DispatchFunctionName, DispatchFunction>();
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTIONS[name];
      const fn = new DispatchFunction(this, `${pascalCase(name)}Function`, {
        handlerName: name,
        description: spec.description,
        publicationJson,
        memorySize: spec.memorySize,
        timeout: spec.timeoutSeconds === undefined ? undefined : Duration.seconds(spec.timeoutSeconds),
        environment: this.environmentFor(name, spec),
        copyIntoBundle: spec.copyIntoBundle,
        codeOverride: props.codeOverride,
      });
      this.grant(fn, spec);
      functions.set(name, fn);
    }
    this.functions = functions;

    this.api = new DispatchApi(this, 'Api', {
      routes: ROUTES,
      handlerFor: (fn) => this.fn(fn),
      authorizerFunction: this.fn('authorizer'),
    });

    if (props.edgeWebAclArn === undefined) this.firewall = new EdgeFirewall(this, 'EdgeFirewall', { routes: ROUTES });
    const site = data.bucket(siteBucket);
    this.edge = new EdgeDistribution(this, 'Edge', {
      webAclArn: props.edgeWebAclArn ?? this.firewall?.webAcl.attrArn,
      // Imported by attributes: OAC must not rewrite the stateful stack's bucket policy (that would make the
      // stateful stack depend on this one). The stateful stack grants CloudFront read instead.
      siteBucket: Bucket.fromBucketAttributes(this, 'SiteBucketRef', {
        bucketArn: site.bucketArn,
        bucketName: site.bucketName,
        bucketRegionalDomainName: site.bucketRegionalDomainName,
      }),
      httpApi: this.api.httpApi,
    });

    this.wireStreamConsumers();
    this.wireQueueConsumers();
    this.mail.feedbackTopic.addSubscription(new LambdaSubscription(this.fn('ses-feedback')));
    this.fn('ses-feedback').configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(data.failedEventsQueue),
    });

    assertTimeZone(publication.digest.timeZone);
    this.digestSchedule = new Schedule(this, 'DigestSchedule', {
      description: `Digest edition: ${publication.digest.cron} (${publication.digest.timeZone})`,
      schedule: ScheduleExpression.expression(
        toScheduleCron(publication.digest.cron),
        TimeZone.of(publication.digest.timeZone),
      ),
      target: new SqsSendMessage(data.workQueue(planQueue).queue, {
        role: this.schedulerRole('DigestScheduleRole'),
        input: ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        deadLetterQueue: data.failedEventsQueue,
        retryAttempts: 10,
        maxEventAge: Duration.hours(2),
      }),
    });

    // A missed sweep is simply the next minute's sweep: no retries, no dead letters.
    this.fn('release-sweeper').configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    const sweepRole = this.schedulerRole('ReleaseSweepScheduleRole');
    this.releaseSweepSchedule = new Schedule(this, 'ReleaseSweepSchedule', {
      description: 'Publishes due reports and frees reports past freeAfter',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: new LambdaInvoke(this.fn('release-sweeper'), {
        role: sweepRole,
        retryAttempts: 0,
        maxEventAge: Duration.seconds(60),
      }),
    });
    const sweeperLogicalId = this.resolve(
      (this.fn('release-sweeper').node.defaultChild as CfnFunction).logicalId,
    ) as string;
    Validations.of(sweepRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${sweeperLogicalId}.Arn>:*]`,
      reason: 'lambda:InvokeFunction on the release sweeper and its versions/aliases (ARN suffix), nothing else.',
    });

    Validations.of(this).acknowledge({
      id: 'Annotation::@aws-cdk/core:crossStackReferencesDefaultStrong',
      reason:
        'Strong references are what we want: CloudFormation must refuse to delete or rename a table, bucket or queue export while this stack still uses it.',
    });

    const deadLetterQueues = {
      ...Object.fromEntries(
        QUEUES.map((definition) => [`${definition.id}DeadLetter`, data.workQueue(definition).deadLetterQueue]),
      ),
      FailedEvents: data.failedEventsQueue,
    };
    const watched = {
      functions: Object.fromEntries(functions),
      deadLetterQueues,
      mailQueue: data.workQueue(mailQueue).queue,
    };
    this.alarms = new DispatchAlarms(this, 'Alarms', { ...watched, errorsByContract: ['authorizer'] });
    const dashboard = new DispatchDashboard(this, 'Dashboard', {
      ...watched,
      workQueues: Object.fromEntries(QUEUES.map((definition) => [definition.id, data.workQueue(definition).queue])),
    });
    new CfnOutput(this, 'DashboardName', {
      description: 'CloudWatch dashboard of submits, publishing, editions and the plumbing',
      value: dashboard.dashboard.dashboardName,
    });

    new CfnOutput(this, 'SiteUrl', {
      description: 'CloudFront URL (point the publication domain here)',
      value: `https://${this.edge.distribution.distributionDomainName}`,
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'HTTP API endpoint ($DISPATCH_API_URL)',
      value: this.api.httpApi.apiEndpoint,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe the on-call address here',
      value: this.alarms.topic.topicArn,
    });
  }

  /** One role per schedule, assumable by EventBridge Scheduler from this account only. */
  private schedulerRole(id: string): Role {
    return new Role(this, id, {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
  }

  /** The function built for a catalog entry. */
  fn(name: DispatchFunctionName): DispatchFunction {
    const fn = this.functions.get(name);
    if (fn === undefined) throw new Error(`No function "${name}"`);
    return fn;
  }

  private environmentFor(name: DispatchFunctionName, spec: FunctionSpec): Record<string, string> {
    const { data } = this;
    const environment: Record<string, string> = {};
    for (const { table } of spec.tables ?? []) {
      environment[`TABLE_${table.env}`] = data.table(table).tableName;
    }
    if (spec.siteReadWrite === true) environment[siteBucket.env] = data.bucket(siteBucket).bucketName;
    if (spec.vault !== undefined) environment[vaultBucket.env] = data.bucket(vaultBucket).bucketName;
    for (const queue of spec.sendsTo ?? []) environment[queue.env] = data.workQueue(queue).queue.queueUrl;
    if (spec.tokenSecret === true) environment.TOKEN_SECRET_ARN = data.tokenSecret.secretArn;
    if (spec.sendsEmail === true) {
      environment.SES_CONFIGURATION_SET = this.mail.configurationSet.configurationSetName;
    }
    if (name === 'mail-sender') environment.MAIL_SENDER_MAX_CONCURRENCY = String(this.mailSenderMaxConcurrency);
    return environment;
  }

  /** Turns one catalog entry into IAM statements on the function's role. */
  private grant(fn: DispatchFunction, spec: FunctionSpec): void {
    const { data } = this;
    for (const { table, mode } of spec.tables ?? []) {
      const tableArn = data.table(table).tableArn;
      const actions = mode === 'readWrite' ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : [...TABLE_READ_ACTIONS];
      fn.addToRolePolicy(new PolicyStatement({ actions, resources: [tableArn] }));
      if (table.indexes.length > 0) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: [...INDEX_READ_ACTIONS],
            resources: table.indexes.map((index) => `${tableArn}/index/${index.name}`),
          }),
        );
      }
    }

    for (const { table, leadingKeyPrefix } of spec.keyedWrites ?? []) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:PutItem'],
          resources: [data.table(table).tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${leadingKeyPrefix}*`] } },
        }),
      );
    }

    const vault = data.exportedBucketArn(vaultBucket);
    const vaultObjects = (prefixes: readonly VaultPrefix[]): string[] =>
      prefixes.map((prefix) => `${vault.value}/${prefix}*`);
    const get = spec.vault?.get ?? [];
    const put = spec.vault?.put ?? [];
    if (get.length > 0)
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: vaultObjects(get) }));
    if (put.length > 0)
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: vaultObjects(put) }));
    for (const prefix of new Set([...get, ...put])) {
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${vault.exportName}/${prefix}*]`,
        reason: `Scoped to the vault prefix ${prefix}: objects there are created at run time under generated keys; no other vault prefix is granted.`,
      });
    }

    if (spec.siteReadWrite === true) {
      const site = data.exportedBucketArn(siteBucket);
      fn.addToRolePolicy(new PolicyStatement({ actions: [...SITE_OBJECT_ACTIONS], resources: [`${site.value}/*`] }));
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [site.value] }));
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${site.exportName}/*]`,
        reason:
          'The feed publisher owns every object of the public site bucket (feeds, tag feeds, pages, archive) and removes unpublished ones; the bucket holds public files only.',
      });
    }
    for (const queue of spec.sendsTo ?? []) data.workQueue(queue).queue.grantSendMessages(fn);
    if (spec.tokenSecret === true) data.tokenSecret.grantRead(fn);
    if (spec.sendsEmail === true) fn.addToRolePolicy(this.mail.sendEmailStatement());
  }

  private wireStreamConsumers(): void {
    const reports = this.data.table(reportsTable);
    for (const name of ['feed-publisher', 'private-feed-builder'] as const) {
      this.fn(name).addEventSource(
        new DynamoEventSource(reports, {
          ...STREAM_CONSUMER,
          // From the oldest record still in the stream: a first deploy catches up instead of skipping writes.
          startingPosition: StartingPosition.TRIM_HORIZON,
          onFailure: new SqsDlq(this.data.failedEventsQueue),
        }),
      );
      Validations.of(this.fn(name).executionRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams, added by the DynamoDB event source, supports no resource-level permission; the stream reads themselves are scoped to the reports table stream.',
      });
    }
  }

  private wireQueueConsumers(): void {
    const consumers = [
      { name: 'digest-planner', definition: planQueue, maxConcurrency: undefined },
      { name: 'mail-sender', definition: mailQueue, maxConcurrency: this.mailSenderMaxConcurrency },
      // Two workers at most: confirmation mails share the SES send rate with the digest.
      { name: 'sign-up-worker', definition: signUpQueue, maxConcurrency: 2 },
    ] as const;
    for (const { name, definition, maxConcurrency } of consumers) {
      const fn = this.fn(name);
      const timeout = fn.timeout?.toSeconds() ?? 3;
      if (timeout > definition.visibilityTimeoutSeconds) {
        throw new Error(
          `${name} may run ${timeout} s but ${definition.id} hides a message for only ${definition.visibilityTimeoutSeconds} s`,
        );
      }
      fn.addEventSource(
        new SqsEventSource(this.data.workQueue(definition).queue, {
          batchSize: definition.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency,
        }),
      );
    }
  }
}
