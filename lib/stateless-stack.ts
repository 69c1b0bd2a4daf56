import { CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type CfnFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { mailQueue, siteBucket, vaultBucket, QUEUES } from '../lambdas/adapters/data-model';
import {
  authorizerFunction,
  type DispatchFunctionName,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionSpec,
  INDEX_READ_ACTIONS,
  type QueueTrigger,
  resolveSetting,
  SCHEDULED_TIME_FIELD,
  type ScheduleName,
  type ScheduleTrigger,
  SITE_EDITIONS_PREFIX,
  SITE_MEDIA_PREFIX,
  SITE_OBJECT_ACTIONS,
  STRIPE_WEBHOOK_SECRET_ARN_ENV,
  type StreamTrigger,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
  type TopicName,
  type VaultPrefix,
} from '../lambdas/app-model';
import type { Publication } from '../lambdas/core/shared/publication';
import { ROUTES } from '../lambdas/routes';
import { DispatchAlarms } from './constructs/dispatch-alarms';
import { ConsoleDeployment } from './constructs/console-deployment';
import { DispatchApi } from './constructs/dispatch-api';
import { DispatchDashboard } from './constructs/dispatch-dashboard';
import { type CodeOverride, DispatchFunction } from './constructs/dispatch-function';
import { EdgeDistribution } from './constructs/edge-distribution';
import { EdgeFirewall } from './constructs/edge-firewall';
import { MailDelivery } from './constructs/mail-delivery';
import { toScheduleCron } from './schedule-cron';
import { streamFilterCriteria } from './stream-filter-criteria';
import type { DispatchData } from './stateful-stack';

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
function assertTimeZone(schedule: ScheduleName, timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`Unknown ${schedule} time zone "${timeZone}" (expected an IANA name such as Europe/London)`);
  }
}

const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** Construct id of a function of the app model, e.g. `FeedPublisherFunction`; its logical id starts with it. */
export const functionConstructId = (name: DispatchFunctionName): string => `${pascalCase(name)}Function`;

/**
 * Everything that can be redeployed without losing data: the functions of the app model
 * (`lambdas/app-model.ts`) with exactly the access listed there, every event source, subscription and schedule
 * derived from their triggers, the HTTP API, CloudFront, SES and the alarms. Nothing here wires a function by hand.
 */
export class DispatchStatelessStack extends Stack {
  public readonly functions: ReadonlyMap<DispatchFunctionName, DispatchFunction>;
  public readonly mail: MailDelivery;
  public readonly api: DispatchApi;
  public readonly edge: EdgeDistribution;
  /** The editor console's files in the site bucket under `console/`. */
  public readonly console: ConsoleDeployment;
  /** The web ACL with the per-client rate limits, when this stack builds it (see `edgeWebAclArn`). */
  public readonly firewall?: EdgeFirewall;
  /** The schedules of the app model's `schedule` triggers, by name. */
  public readonly schedules: ReadonlyMap<ScheduleName, Schedule>;
  public readonly alarms: DispatchAlarms;

  private readonly data: DispatchData;
  private readonly publication: Publication;

  constructor(scope: Construct, id: string, props: DispatchStatelessStackProps) {
    super(scope, id, props);
    const { publication, data } = props;
    this.data = data;
    this.publication = publication;

    this.mail = new MailDelivery(this, 'Mail', { senderAddress: publication.senderAddress });

    const publicationJson = JSON.stringify(publication);
    const functions = new Map<DispatchFunctionName, DispatchFunction>();
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTIONS[name];
      const fn = new DispatchFunction(this, functionConstructId(name), {
        handlerName: name,
        description: spec.description,
        publicationJson,
        memorySize: spec.memorySize,
        timeout: spec.timeoutSeconds === undefined ? undefined : Duration.seconds(spec.timeoutSeconds),
        environment: this.environmentFor(spec),
        copyIntoBundle: spec.copyIntoBundle,
        codeOverride: props.codeOverride,
      });
      this.grant(fn, spec);
      if (spec.asyncInvoke !== undefined) {
        const { retryAttempts, maxEventAgeSeconds, toFailedEvents } = spec.asyncInvoke;
        fn.configureAsyncInvoke({
          retryAttempts,
          maxEventAge: maxEventAgeSeconds === undefined ? undefined : Duration.seconds(maxEventAgeSeconds),
          onFailure: toFailedEvents === true ? new SqsDestination(data.failedEventsQueue) : undefined,
        });
      }
      functions.set(name, fn);
    }
    this.functions = functions;

    this.api = new DispatchApi(this, 'Api', {
      routes: ROUTES,
      handlerFor: (fn) => this.fn(fn),
      authorizerFunction: this.fn(authorizerFunction()),
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
    const siteArn = data.exportedBucketArn(siteBucket);
    this.console = new ConsoleDeployment(this, 'Console', {
      siteBucket: Bucket.fromBucketAttributes(this, 'ConsoleSiteBucketRef', {
        bucketArn: siteArn.value,
        bucketName: site.bucketName,
      }),
      siteBucketArnExportName: siteArn.exportName,
      publication,
    });

    this.schedules = this.wireTriggers();

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

  private environmentFor(spec: FunctionSpec): Record<string, string> {
    const { data } = this;
    const environment: Record<string, string> = {};
    for (const { table } of spec.tables ?? []) {
      environment[`TABLE_${table.env}`] = data.table(table).tableName;
    }
    if (spec.siteReadWrite === true || spec.siteMedia === true || spec.siteEditions === true) {
      environment[siteBucket.env] = data.bucket(siteBucket).bucketName;
    }
    if (spec.vault !== undefined) environment[vaultBucket.env] = data.bucket(vaultBucket).bucketName;
    for (const queue of spec.sendsTo ?? []) environment[queue.env] = data.workQueue(queue).queue.queueUrl;
    if (spec.tokenSecret === true) environment.TOKEN_SECRET_ARN = data.tokenSecret.secretArn;
    if (spec.stripeWebhookSecret === true) {
      environment[STRIPE_WEBHOOK_SECRET_ARN_ENV] = data.stripeWebhookSecret.secretArn;
    }
    if (spec.sendsEmail === true) {
      environment.SES_CONFIGURATION_SET = this.mail.configurationSet.configurationSetName;
    }
    for (const trigger of spec.triggers) {
      if (trigger.kind !== 'queue' || trigger.maxConcurrencyEnv === undefined) continue;
      const maxConcurrency = this.queueMaxConcurrency(trigger);
      if (maxConcurrency === undefined)
        throw new Error(`${trigger.maxConcurrencyEnv} needs a maxConcurrency to hand on`);
      environment[trigger.maxConcurrencyEnv] = String(maxConcurrency);
    }
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
    if (spec.siteMedia === true) {
      const site = data.exportedBucketArn(siteBucket);
      fn.addToRolePolicy(
        new PolicyStatement({ actions: [...SITE_OBJECT_ACTIONS], resources: [`${site.value}/${SITE_MEDIA_PREFIX}*`] }),
      );
      // Only to tell a missing upload from a present one (see adapters/media-bucket.ts), and only under media/.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [site.value],
          conditions: { StringLike: { 's3:prefix': [`${SITE_MEDIA_PREFIX}*`] } },
        }),
      );
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${site.exportName}/${SITE_MEDIA_PREFIX}*]`,
        reason: `Scoped to the site prefix ${SITE_MEDIA_PREFIX}: uploaded images are stored there under content-addressed names created at run time; nothing else of the site bucket is granted.`,
      });
    }
    if (spec.siteEditions === true) {
      const site = data.exportedBucketArn(siteBucket);
      // Put only: the pages are plain overwrites, never read back, listed or deleted.
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:PutObject'], resources: [`${site.value}/${SITE_EDITIONS_PREFIX}*`] }),
      );
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${site.exportName}/${SITE_EDITIONS_PREFIX}*]`,
        reason: `Scoped to the site prefix ${SITE_EDITIONS_PREFIX}: one public page per edition, named by its id at run time, and the list of editions; nothing else of the site bucket is granted.`,
      });
    }
    for (const queue of spec.sendsTo ?? []) data.workQueue(queue).queue.grantSendMessages(fn);
    if (spec.tokenSecret === true) data.tokenSecret.grantRead(fn);
    if (spec.stripeWebhookSecret === true) data.stripeWebhookSecret.grantRead(fn);
    if (spec.sendsEmail === true) fn.addToRolePolicy(this.mail.sendEmailStatement());
  }

  /** Every event source, subscription and schedule, from the triggers of the app model. */
  private wireTriggers(): Map<ScheduleName, Schedule> {
    const schedules = new Map<ScheduleName, Schedule>();
    for (const name of FUNCTION_NAMES) {
      for (const trigger of FUNCTIONS[name].triggers) {
        switch (trigger.kind) {
          case 'routes':
            // DispatchApi builds every route of ROUTES; a routed function without a route would never be called.
            if (!ROUTES.some((route) => route.fn === name))
              throw new Error(`${name} has a routes trigger but no route`);
            break;
          case 'authorizer':
            break; // DispatchApi attaches it to every non-public route.
          case 'stream':
            this.wireStream(name, trigger);
            break;
          case 'queue':
            this.wireQueue(name, trigger);
            break;
          case 'schedule':
            schedules.set(trigger.name, this.wireSchedule(name, trigger));
            break;
          case 'topic':
            this.topic(trigger.topic).addSubscription(new LambdaSubscription(this.fn(name)));
            break;
          default: {
            const unknown: never = trigger;
            throw new Error(`Unknown trigger ${JSON.stringify(unknown)}`);
          }
        }
      }
    }
    return schedules;
  }

  private wireStream(name: DispatchFunctionName, trigger: StreamTrigger): void {
    const fn = this.fn(name);
    fn.addEventSource(
      new DynamoEventSource(this.data.table(trigger.table), {
        batchSize: trigger.batchSize,
        maxBatchingWindow: Duration.seconds(trigger.batchWindowSeconds),
        // Records the consumer would ignore are dropped before batching, so they take no place in a batch.
        ...(trigger.filter ? { filters: [streamFilterCriteria(trigger.filter)] } : {}),
        retryAttempts: trigger.retryAttempts,
        // One bad record is retried alone: the batch is halved around it and only failed records are reported.
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        // One batch per shard at a time keeps a report's stream records in order.
        parallelizationFactor: 1,
        // From the oldest record still in the stream: a first deploy catches up instead of skipping writes.
        startingPosition: StartingPosition.TRIM_HORIZON,
        onFailure: new SqsDlq(this.data.failedEventsQueue),
      }),
    );
    Validations.of(fn.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `dynamodb:ListStreams, added by the DynamoDB event source, supports no resource-level permission; the stream reads themselves are scoped to the ${trigger.table.id} table stream.`,
    });
  }

  private queueMaxConcurrency(trigger: QueueTrigger): number | undefined {
    return trigger.maxConcurrency === undefined ? undefined : resolveSetting(trigger.maxConcurrency, this.publication);
  }

  private wireQueue(name: DispatchFunctionName, trigger: QueueTrigger): void {
    const { queue } = trigger;
    const fn = this.fn(name);
    const timeout = fn.timeout?.toSeconds() ?? 3;
    if (timeout > queue.visibilityTimeoutSeconds) {
      throw new Error(
        `${name} may run ${timeout} s but ${queue.id} hides a message for only ${queue.visibilityTimeoutSeconds} s`,
      );
    }
    fn.addEventSource(
      new SqsEventSource(this.data.workQueue(queue).queue, {
        batchSize: queue.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: this.queueMaxConcurrency(trigger),
      }),
    );
  }

  private wireSchedule(name: DispatchFunctionName, trigger: ScheduleTrigger): Schedule {
    const { via } = trigger;
    if (via !== undefined && !FUNCTIONS[name].triggers.some((t) => t.kind === 'queue' && t.queue === via)) {
      throw new Error(`Schedule ${trigger.name} sends to ${via.id}, which ${name} does not consume`);
    }
    const when = resolveSetting(trigger.when, this.publication);
    const role = this.schedulerRole(`${trigger.constructId}Role`);
    const targetProps = {
      role,
      input: ScheduleTargetInput.fromObject({
        ...trigger.input,
        [SCHEDULED_TIME_FIELD]: ContextAttribute.scheduledTime,
      }),
      retryAttempts: trigger.retryAttempts,
      maxEventAge: Duration.seconds(trigger.maxEventAgeSeconds),
      deadLetterQueue: trigger.toFailedEvents === true ? this.data.failedEventsQueue : undefined,
    };
    let description = trigger.description;
    let schedule: ScheduleExpression;
    if ('cron' in when) {
      assertTimeZone(trigger.name, when.timeZone);
      description = `${trigger.description}: ${when.cron} (${when.timeZone})`;
      schedule = ScheduleExpression.expression(toScheduleCron(when.cron), TimeZone.of(when.timeZone));
    } else {
      schedule = ScheduleExpression.rate(Duration.minutes(when.everyMinutes));
    }
    const fn = this.fn(name);
    const target =
      via === undefined
        ? new LambdaInvoke(fn, targetProps)
        : new SqsSendMessage(this.data.workQueue(via).queue, targetProps);
    const built = new Schedule(this, trigger.constructId, { description, schedule, target });
    if (via === undefined) {
      const functionLogicalId = this.resolve((fn.node.defaultChild as CfnFunction).logicalId) as string;
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
        reason: `lambda:InvokeFunction on the ${name} function and its versions/aliases (ARN suffix), nothing else.`,
      });
    }
    return built;
  }

  /** The SNS topic the app model calls `name`. */
  topic(name: TopicName): ITopic {
    const topics: Readonly<Record<TopicName, ITopic>> = { 'mail-feedback': this.mail.feedbackTopic };
    return topics[name];
  }
}
