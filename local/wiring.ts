import type { QueueDefinition, TableDefinition } from '../lambdas/adapters/data-model';
import {
  authorizerFunction,
  type DispatchFunctionName,
  type StreamRecordFilter,
  resolveSetting,
  SCHEDULED_TIME_FIELD,
  type ScheduleName,
  type ScheduleWhen,
  type TopicName,
  triggersOfKind,
} from '../lambdas/app-model';
import type { Publication } from '../lambdas/core/shared/publication';
import { type Access, ROUTES, routeKey } from '../lambdas/routes';

/**
 * Queue deliveries running at once, per queue, in the local stack, whatever the app model allows on AWS: every
 * consumer shares one process (or one worker thread) and single-process emulators, where more loops only wait
 * on each other; two still exercise concurrent consumption (two senders racing for one mail, for instance).
 */
export const LOCAL_QUEUE_CONCURRENCY = 2;

/**
 * Attempts of a failing stream batch in the local stack. The app model's retries (ten on AWS) would hold a poison
 * record back for minutes; locally it reaches the dead letters, where the developer sees it, within seconds.
 */
export const LOCAL_STREAM_MAX_ATTEMPTS = 5;

export interface LocalRoute {
  readonly routeKey: string;
  readonly fn: DispatchFunctionName;
  readonly access: Access;
}

export interface LocalStreamConsumer {
  readonly fn: DispatchFunctionName;
  readonly table: TableDefinition;
  /** As on AWS: the stream proxy journals only the records that match (undefined: every record). */
  readonly filter: StreamRecordFilter | undefined;
  readonly batchSize: number;
  /** The app model's window; `LocalStackOptions.streamBatchWindowMs` decides the local one. */
  readonly batchWindowSeconds: number;
  /** As on AWS; locally a batch gets `maxAttempts` in all. */
  readonly retryAttempts: number;
  readonly maxAttempts: number;
}

export interface LocalQueueConsumer {
  readonly fn: DispatchFunctionName;
  readonly queue: QueueDefinition;
  readonly batchSize: number;
  readonly maxAttempts: number;
  /** As on AWS (undefined: unbounded). */
  readonly maxConcurrency: number | undefined;
  /**
   * Deliveries at once locally: `maxConcurrency` capped at `LOCAL_QUEUE_CONCURRENCY`. The function is not told
   * (no `maxConcurrencyEnv` locally), so each local mail sender paces itself to the whole send rate, as before.
   */
  readonly concurrency: number;
}

export interface LocalSchedule {
  readonly name: ScheduleName;
  readonly fn: DispatchFunctionName;
  readonly when: ScheduleWhen;
  /** The queue the schedule sends to; undefined: it invokes `fn`. */
  readonly via: QueueDefinition | undefined;
  readonly input: Readonly<Record<string, string>>;
}

export interface LocalTopicSubscription {
  readonly topic: TopicName;
  readonly fn: DispatchFunctionName;
}

/** Everything that invokes a function in the local stack. */
export interface LocalWiring {
  readonly routes: readonly LocalRoute[];
  readonly authorizer: DispatchFunctionName;
  readonly streams: readonly LocalStreamConsumer[];
  readonly queues: readonly LocalQueueConsumer[];
  readonly schedules: readonly LocalSchedule[];
  readonly topics: readonly LocalTopicSubscription[];
}

/**
 * The local stack's wiring, derived from the app model's triggers exactly as the CDK stateless stack derives its
 * own; `local/stack.ts` starts what this lists and nothing else, and `test/infra/app-model.test.ts` compares it
 * with the synthesized template.
 */
export function localWiring(publication: Publication): LocalWiring {
  return {
    routes: ROUTES.map((route) => ({ routeKey: routeKey(route), fn: route.fn, access: route.access })),
    authorizer: authorizerFunction(),
    streams: triggersOfKind('stream').map(({ fn, trigger }) => ({
      fn,
      table: trigger.table,
      filter: trigger.filter,
      batchSize: trigger.batchSize,
      batchWindowSeconds: trigger.batchWindowSeconds,
      retryAttempts: trigger.retryAttempts,
      maxAttempts: Math.min(1 + trigger.retryAttempts, LOCAL_STREAM_MAX_ATTEMPTS),
    })),
    queues: triggersOfKind('queue').map(({ fn, trigger }) => {
      const maxConcurrency =
        trigger.maxConcurrency === undefined ? undefined : resolveSetting(trigger.maxConcurrency, publication);
      return {
        fn,
        queue: trigger.queue,
        batchSize: trigger.queue.batchSize,
        maxAttempts: trigger.queue.maxReceiveCount,
        maxConcurrency,
        concurrency: Math.min(maxConcurrency ?? LOCAL_QUEUE_CONCURRENCY, LOCAL_QUEUE_CONCURRENCY),
      };
    }),
    schedules: triggersOfKind('schedule').map(({ fn, trigger }) => ({
      name: trigger.name,
      fn,
      when: resolveSetting(trigger.when, publication),
      via: trigger.via,
      input: trigger.input,
    })),
    topics: triggersOfKind('topic').map(({ fn, trigger }) => ({ topic: trigger.topic, fn })),
  };
}

/** The event a schedule delivers: its input and the scheduled time, as EventBridge Scheduler fills it in. */
export function scheduleEvent(schedule: LocalSchedule, scheduledTime: Date): Record<string, string> {
  return { ...schedule.input, [SCHEDULED_TIME_FIELD]: scheduledTime.toISOString() };
}
