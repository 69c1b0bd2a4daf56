import { QUEUES, TABLES, type QueueDefinition, type TableDefinition } from '../../lambdas/adapters/data-model';
import { type DispatchFunctionName, FUNCTION_NAMES } from '../../lambdas/app-model';
import type { CloudAssembly, TemplateResource, TemplateValue } from './cloud-assembly';
import { localFunctionArn, localFunctionName, localQueueArn, localStreamArn } from './local-resources';
import type { TemplateResolver } from './template-values';

/**
 * What invokes each function, read from the synthesized templates (not from the app model): HTTP API routes and
 * the authorizer, event source mappings on streams and queues, EventBridge Scheduler schedules (to the function or
 * to a queue it consumes) and SNS subscriptions. The verifier builds each event from these.
 */

export interface TemplateRoute {
  /** `POST /api/reports`, as API Gateway puts it in the event. */
  readonly routeKey: string;
  readonly fn: DispatchFunctionName;
  /** `AuthorizationType: CUSTOM`: the Lambda authorizer decides first. */
  readonly authorized: boolean;
}

export interface TemplateAuthorizer {
  readonly fn: DispatchFunctionName;
  /** Lower-cased header of `$request.header.Authorization`. */
  readonly identityHeader: string;
  readonly payloadFormatVersion: string;
  readonly simpleResponses: boolean;
}

export interface StreamSource {
  readonly kind: 'stream';
  readonly fn: DispatchFunctionName;
  readonly table: TableDefinition;
  readonly batchSize: number;
}

export interface QueueSource {
  readonly kind: 'queue';
  readonly fn: DispatchFunctionName;
  readonly queue: QueueDefinition;
  readonly batchSize: number;
}

export interface TemplateSchedule {
  readonly logicalId: string;
  /** `Target.Input`, with `<aws.scheduler.…>` placeholders still in it. */
  readonly input: string;
  /** The function it invokes, or the consumer of the queue it sends to. */
  readonly fn: DispatchFunctionName;
  /** Set when the target is a queue: the input becomes a message body there. */
  readonly via: QueueDefinition | undefined;
}

export interface TopicSubscription {
  readonly fn: DispatchFunctionName;
  readonly topicArn: string;
}

export interface TemplateTriggers {
  readonly routes: readonly TemplateRoute[];
  readonly authorizers: readonly TemplateAuthorizer[];
  readonly sources: readonly (StreamSource | QueueSource)[];
  readonly schedules: readonly TemplateSchedule[];
  readonly topics: readonly TopicSubscription[];
}

export type TriggerKind = 'routes' | 'authorizer' | 'stream' | 'queue' | 'schedule' | 'topic';

/** The trigger kinds the templates give one function, in a fixed order. */
export function triggerKindsOf(triggers: TemplateTriggers, fn: DispatchFunctionName): TriggerKind[] {
  const kinds: TriggerKind[] = [];
  if (triggers.routes.some((route) => route.fn === fn)) kinds.push('routes');
  if (triggers.authorizers.some((authorizer) => authorizer.fn === fn)) kinds.push('authorizer');
  if (triggers.sources.some((source) => source.fn === fn && source.kind === 'stream')) kinds.push('stream');
  if (triggers.sources.some((source) => source.fn === fn && source.kind === 'queue')) kinds.push('queue');
  if (triggers.schedules.some((schedule) => schedule.fn === fn)) kinds.push('schedule');
  if (triggers.topics.some((topic) => topic.fn === fn)) kinds.push('topic');
  return kinds;
}

/** All `Ref` logical ids inside a value (a route's `Target` is `integrations/` joined with a Ref). */
function refsIn(value: TemplateValue | undefined): string[] {
  if (value === null || value === undefined || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(refsIn);
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'Ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

export function readTriggers(assembly: CloudAssembly, resolver: TemplateResolver): TemplateTriggers {
  const routes: TemplateRoute[] = [];
  const authorizers: TemplateAuthorizer[] = [];
  const sources: (StreamSource | QueueSource)[] = [];
  const pendingSchedules: { logicalId: string; input: string; targetArn: string }[] = [];
  const topics: TopicSubscription[] = [];

  for (const stack of assembly.stacks) {
    const value = (resource: TemplateResource, key: string, where: string): string =>
      resolver.resolve(resource.Properties?.[key] ?? null, stack.stackName, where);
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const where = `${stack.stackName}/${logicalId}`;
      switch (resource.Type) {
        case 'AWS::ApiGatewayV2::Route': {
          const [integrationId] = refsIn(resource.Properties?.Target);
          if (integrationId === undefined) throw new Error(`${where}: route without an integration target`);
          const integration = resolver.referenced(stack.stackName, integrationId, where).resource;
          routes.push({
            routeKey: value(resource, 'RouteKey', where),
            fn: functionByArn(value(integration, 'IntegrationUri', where), where),
            authorized: value(resource, 'AuthorizationType', where) === 'CUSTOM',
          });
          break;
        }
        case 'AWS::ApiGatewayV2::Authorizer': {
          const sourceList = resource.Properties?.IdentitySource;
          const [identity] = Array.isArray(sourceList) ? sourceList.map(String) : [];
          const header = /^\$request\.header\.(.+)$/.exec(identity ?? '')?.[1];
          if (header === undefined) throw new Error(`${where}: identity source ${identity} is not a header`);
          authorizers.push({
            fn: functionByArn(value(resource, 'AuthorizerUri', where), where),
            identityHeader: header.toLowerCase(),
            payloadFormatVersion: value(resource, 'AuthorizerPayloadFormatVersion', where),
            simpleResponses: resource.Properties?.EnableSimpleResponses === true,
          });
          break;
        }
        case 'AWS::Lambda::EventSourceMapping': {
          const fn = functionByName(value(resource, 'FunctionName', where), where);
          const sourceArn = value(resource, 'EventSourceArn', where);
          const batchSize = Number(resource.Properties?.BatchSize ?? 10);
          const table = TABLES.find((candidate) => candidate.stream && localStreamArn(candidate) === sourceArn);
          const queue = QUEUES.find((candidate) => localQueueArn(candidate) === sourceArn);
          if (table) sources.push({ kind: 'stream', fn, table, batchSize });
          else if (queue) sources.push({ kind: 'queue', fn, queue, batchSize });
          else throw new Error(`${where}: event source ${sourceArn} is neither a table stream nor a work queue`);
          break;
        }
        case 'AWS::Scheduler::Schedule': {
          const target = resource.Properties?.Target as Record<string, TemplateValue> | undefined;
          if (target === undefined) throw new Error(`${where}: schedule without a target`);
          const input = target.Input;
          if (typeof input !== 'string') throw new Error(`${where}: schedule input is not a literal string`);
          pendingSchedules.push({
            logicalId,
            input,
            targetArn: resolver.resolve(target.Arn ?? null, stack.stackName, where),
          });
          break;
        }
        case 'AWS::SNS::Subscription':
          if (value(resource, 'Protocol', where) !== 'lambda') break;
          topics.push({
            fn: functionByArn(value(resource, 'Endpoint', where), where),
            topicArn: value(resource, 'TopicArn', where),
          });
          break;
        default:
          break;
      }
    }
  }

  // A schedule that sends to a queue reaches the queue's consumer, as an SQS message.
  const schedules = pendingSchedules.map(({ logicalId, input, targetArn }): TemplateSchedule => {
    const via = QUEUES.find((queue) => localQueueArn(queue) === targetArn);
    if (via === undefined) return { logicalId, input, fn: functionByArn(targetArn, logicalId), via: undefined };
    const consumer = sources.find((source) => source.kind === 'queue' && source.queue.id === via.id);
    if (consumer === undefined) throw new Error(`${logicalId}: sends to ${via.id}, which no function consumes`);
    return { logicalId, input, fn: consumer.fn, via };
  });
  return { routes, authorizers, sources, schedules, topics };
}

/** The function whose local ARN a resolved value is or contains (an authorizer URI wraps it). */
function functionByArn(value: string, where: string): DispatchFunctionName {
  const fn = FUNCTION_NAMES.find(
    (name) => value === localFunctionArn(name) || value.includes(`${localFunctionArn(name)}/`),
  );
  if (fn === undefined) throw new Error(`${where}: ${value} names no synthesized function`);
  return fn;
}

function functionByName(value: string, where: string): DispatchFunctionName {
  const fn = FUNCTION_NAMES.find((name) => value === localFunctionName(name) || value === localFunctionArn(name));
  if (fn === undefined) throw new Error(`${where}: ${value} names no synthesized function`);
  return fn;
}
