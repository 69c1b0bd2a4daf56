import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, TABLES } from '../../lambdas/adapters/data-model';
import {
  type DispatchFunctionName,
  FUNCTION_NAMES,
  FUNCTIONS,
  SCHEDULED_TIME_FIELD,
  type StreamRecordFilter,
  type TopicName,
} from '../../lambdas/app-model';
import { parsePublication } from '../../lambdas/core/shared/publication';
import { ROUTES } from '../../lambdas/routes';
import { buildApp } from '../../lib/build-app';
import { toScheduleCron } from '../../lib/schedule-cron';
import type { DispatchStatelessStack } from '../../lib/stateless-stack';
import { localWiring, type LocalWiring, scheduleEvent } from '../../local/wiring';
import { cdkJsonContext, INLINE_CODE, synthDispatch } from './dispatch-app';

/**
 * Every way the CDK app invokes a function, read back from the synthesized template, against every way the local
 * stack invokes one (`localWiring`, which `local/stack.ts` starts and nothing else). Both derive from the app
 * model; this test is what keeps either from growing a trigger of its own.
 */

/** Every topic of the app model (a `Record` so a new `TopicName` does not compile until it is listed). */
const TOPICS: Readonly<Record<TopicName, true>> = { 'mail-feedback': true };
const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, Json>;
}

/** Names the functions, topics, tables and queues behind the references of the stateless template. */
class TemplateNames {
  private readonly functions = new Map<string, DispatchFunctionName>();
  private readonly topics = new Map<string, TopicName>();

  constructor(stack: DispatchStatelessStack) {
    const logicalId = (element: unknown): string => stack.getLogicalId(element as CfnElement);
    for (const name of FUNCTION_NAMES) this.functions.set(logicalId(stack.fn(name).node.defaultChild), name);
    for (const name of Object.keys(TOPICS) as TopicName[]) {
      this.topics.set(logicalId(stack.topic(name).node.defaultChild), name);
    }
  }

  /** The function of `{Ref}` or `{Fn::GetAtt: [id, 'Arn']}`, anywhere inside `value`. */
  fn(value: Json | undefined): string {
    const text = JSON.stringify(value);
    for (const [id, name] of this.functions) if (text.includes(`"${id}"`)) return name;
    return `unknown function ${text}`;
  }

  topic(value: Json | undefined): string {
    const text = JSON.stringify(value);
    for (const [id, name] of this.topics) if (text.includes(`"${id}"`)) return name;
    return `unknown topic ${text}`;
  }

  /** A stream (`stream:Reports`) or a queue (`queue:PlanQueue`) imported from the stateful stack. */
  source(value: Json | undefined): string {
    const text = JSON.stringify(value);
    const table = TABLES.find((definition) => new RegExp(`GetAtt${definition.id}Table[0-9A-F]{8}StreamArn`).test(text));
    if (table) return `stream:${table.id}`;
    const queue = QUEUES.find((definition) => new RegExp(`GetAtt${definition.id}[0-9A-F]{8}Arn`).test(text));
    if (queue) return `queue:${queue.id}`;
    return `unknown source ${text}`;
  }
}

/**
 * An event source mapping's filter criteria, read back as key conditions: `dynamodb.Keys.<name>.S` equal to a
 * value (`["v"]`) or starting with one (`[{"prefix": "v"}]`). Anything else is shown as it is, so it cannot
 * equal the local line.
 */
function cdkFilter(criteria: Json | undefined): string {
  if (criteria === undefined) return 'every record';
  const filters = (criteria as { Filters?: { Pattern?: string }[] }).Filters ?? [];
  return filters
    .map(({ Pattern }) => {
      const pattern = JSON.parse(Pattern ?? 'null') as { dynamodb?: { Keys?: Record<string, { S?: Json[] }> } };
      const keys = pattern?.dynamodb?.Keys;
      if (!keys || Object.keys(pattern).length !== 1 || Object.keys(pattern.dynamodb ?? {}).length !== 1) {
        return `unreadable ${String(Pattern)}`;
      }
      return Object.entries(keys)
        .map(([name, value]) => {
          const [rule, ...more] = value.S ?? [];
          if (typeof rule === 'string' && more.length === 0) return `${name} = ${rule}`;
          const prefix = (rule as { prefix?: Json } | undefined)?.prefix;
          if (typeof prefix === 'string' && more.length === 0) return `${name} prefix ${prefix}`;
          return `${name} unreadable ${JSON.stringify(value)}`;
        })
        .sort()
        .join(' and ');
    })
    .join(' or ');
}

function localFilter(filter: StreamRecordFilter | undefined): string {
  if (filter === undefined) return 'every record';
  return Object.entries(filter.keys)
    .map(([name, condition]) =>
      'prefix' in condition ? `${name} prefix ${condition.prefix}` : `${name} = ${condition.equals}`,
    )
    .sort()
    .join(' and ');
}

const rate = (minutes: number): string => `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;

/** One line per trigger of the CDK app, with the settings both stacks must share. */
function cdkTriggers(template: Template, names: TemplateNames): string[] {
  const resources = Object.values(template.toJSON().Resources as Record<string, Resource>);
  const ofType = (type: string): Record<string, Json>[] =>
    resources.filter((resource) => resource.Type === type).map((resource) => resource.Properties);
  const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Resource>;

  const lines: string[] = [];
  for (const mapping of ofType('AWS::Lambda::EventSourceMapping')) {
    const source = names.source(mapping.EventSourceArn);
    const fn = names.fn(mapping.FunctionName);
    if (source.startsWith('stream:')) {
      lines.push(
        `${source} → ${fn} batch ${String(mapping.BatchSize)}, window ${String(mapping.MaximumBatchingWindowInSeconds)} s, ${String(mapping.MaximumRetryAttempts)} retries, filter ${cdkFilter(mapping.FilterCriteria)}`,
      );
    } else {
      const scaling = mapping.ScalingConfig as { MaximumConcurrency?: number } | undefined;
      lines.push(
        `${source} → ${fn} batch ${String(mapping.BatchSize)}, max concurrency ${String(scaling?.MaximumConcurrency ?? 'unbounded')}`,
      );
    }
  }
  for (const subscription of ofType('AWS::SNS::Subscription')) {
    lines.push(
      `topic:${names.topic(subscription.TopicArn)} → ${String(subscription.Protocol)} ${names.fn(subscription.Endpoint)}`,
    );
  }
  for (const schedule of ofType('AWS::Scheduler::Schedule')) {
    const target = schedule.Target as { Arn: Json; Input?: string };
    const arn = JSON.stringify(target.Arn);
    const targetName = arn.includes('ImportValue') ? names.source(target.Arn) : names.fn(target.Arn);
    const zone =
      schedule.ScheduleExpressionTimezone === 'Etc/UTC' ? '' : ` ${String(schedule.ScheduleExpressionTimezone)}`;
    lines.push(`schedule ${String(schedule.ScheduleExpression)}${zone} → ${targetName} ${String(target.Input)}`);
  }
  for (const route of ofType('AWS::ApiGatewayV2::Route')) {
    const integrationId = /"Ref":"(\w+)"/.exec(JSON.stringify(route.Target))?.[1] ?? '';
    const fn = names.fn(integrations[integrationId]?.Properties.IntegrationUri);
    const guard = route.AuthorizationType === 'NONE' ? 'public' : `authorized by ${String(route.AuthorizationType)}`;
    lines.push(`route ${String(route.RouteKey)} → ${fn} (${guard})`);
  }
  for (const authorizer of ofType('AWS::ApiGatewayV2::Authorizer')) {
    lines.push(`authorizer ${String(authorizer.AuthorizerType)} → ${names.fn(authorizer.AuthorizerUri)}`);
  }
  // Anything else that may invoke a function (API Gateway, SNS, S3, EventBridge rules…) needs a permission.
  for (const permission of ofType('AWS::Lambda::Permission')) {
    lines.push(`may invoke: ${String(permission.Principal)} → ${names.fn(permission.FunctionName)}`);
  }
  return [...new Set(lines)].sort();
}

/** The same lines for the local stack's wiring. */
function localTriggers(wiring: LocalWiring): string[] {
  const lines: string[] = [];
  for (const stream of wiring.streams) {
    lines.push(
      `stream:${stream.table.id} → ${stream.fn} batch ${stream.batchSize}, window ${stream.batchWindowSeconds} s, ${stream.retryAttempts} retries, filter ${localFilter(stream.filter)}`,
    );
  }
  for (const consumer of wiring.queues) {
    lines.push(
      `queue:${consumer.queue.id} → ${consumer.fn} batch ${consumer.batchSize}, max concurrency ${String(consumer.maxConcurrency ?? 'unbounded')}`,
    );
  }
  for (const { topic, fn } of wiring.topics) {
    lines.push(`topic:${topic} → lambda ${fn}`, `may invoke: sns.amazonaws.com → ${fn}`);
  }
  for (const schedule of wiring.schedules) {
    const expression =
      'cron' in schedule.when
        ? `${toScheduleCron(schedule.when.cron)} ${schedule.when.timeZone}`
        : rate(schedule.when.everyMinutes);
    const target = schedule.via === undefined ? schedule.fn : `queue:${schedule.via.id}`;
    // The event the local scheduler delivers, with its time where Scheduler substitutes the scheduled time.
    const event = { ...scheduleEvent(schedule, new Date(0)), [SCHEDULED_TIME_FIELD]: SCHEDULED_TIME };
    lines.push(`schedule ${expression} → ${target} ${JSON.stringify(event)}`);
  }
  for (const route of wiring.routes) {
    const guard = route.access === 'public' ? 'public' : 'authorized by CUSTOM';
    lines.push(
      `route ${route.routeKey} → ${route.fn} (${guard})`,
      `may invoke: apigateway.amazonaws.com → ${route.fn}`,
    );
  }
  lines.push(
    `authorizer REQUEST → ${wiring.authorizer}`,
    `may invoke: apigateway.amazonaws.com → ${wiring.authorizer}`,
  );
  return [...new Set(lines)].sort();
}

describe('app model', () => {
  const publication = parsePublication(cdkJsonContext().dispatch);
  const wiring = localWiring(publication);
  let cdk: string[];
  beforeAll(() => {
    const dispatch = synthDispatch();
    cdk = cdkTriggers(dispatch.statelessTemplate, new TemplateNames(dispatch.stateless));
  });

  it('wires every trigger of the CDK app locally, with the same settings, and nothing else', () => {
    expect(localTriggers(wiring)).toEqual(cdk);
  });

  it('catches a trigger added to the CDK app by hand', () => {
    const dispatch = buildApp({
      context: cdkJsonContext(),
      codeOverride: INLINE_CODE,
      builtinCloudFormationValidation: false,
    });
    dispatch.stateless.topic('mail-feedback').addSubscription(new LambdaSubscription(dispatch.stateless.fn('health')));
    const handWired = cdkTriggers(Template.fromStack(dispatch.stateless), new TemplateNames(dispatch.stateless));
    expect(handWired).toContain('topic:mail-feedback → lambda health');
    expect(localTriggers(wiring)).not.toEqual(handWired);
  });

  it('catches a local consumer the app model does not have', () => {
    const [consumer] = wiring.queues;
    if (consumer === undefined) throw new Error('The app model has no queue consumer');
    const handWired = { ...wiring, queues: [...wiring.queues, { ...consumer, fn: 'health' as const }] };
    expect(localTriggers(handWired)).not.toEqual(cdk);
  });

  it('catches a local stream consumer that filters differently', () => {
    const handWired = { ...wiring, streams: wiring.streams.map((stream) => ({ ...stream, filter: undefined })) };
    expect(cdk.some((line) => line.includes('filter pk prefix REPORT# and sk = REPORT'))).toBe(true);
    expect(localTriggers(handWired)).not.toEqual(cdk);
  });

  it('gives every function a trigger and every routed function a route', () => {
    for (const name of FUNCTION_NAMES) {
      const kinds = FUNCTIONS[name].triggers.map((trigger) => trigger.kind);
      expect(kinds, name).not.toHaveLength(0);
      expect(
        ROUTES.some((route) => route.fn === name),
        name,
      ).toBe(kinds.includes('routes'));
    }
  });

  it('caps local queue concurrency without exceeding what AWS allows', () => {
    for (const consumer of wiring.queues) {
      expect(consumer.concurrency).toBeGreaterThanOrEqual(1);
      expect(consumer.concurrency).toBeLessThanOrEqual(consumer.maxConcurrency ?? Number.POSITIVE_INFINITY);
    }
  });
});
