import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import type { QueueDefinition } from '../../lambdas/adapters/data-model';
import type { DispatchFunctionName } from '../../lambdas/app-model';
import type { Invocation } from './bundle-process';
import type { LambdaService } from './lambda-service';
import type { LocalBackend } from './local-backend';
import type { ApiAnswer } from './template-api';
import type { StreamSource, TemplateTriggers, TriggerKind } from './template-triggers';
import { schedulerInput, sqsEvent, streamEvent } from './trigger-events';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-resources';

/**
 * The tools the scenario checks answers with: named failures, one record per function of what was exercised and
 * what passed or failed, and the event source mappings and schedules played from the templates' triggers.
 */

/** A check that did not hold; its message is the reason printed for the function. */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

export function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CheckFailed(`no ${what} (an earlier check failed)`);
  return value;
}

const excerpt = (text: string): string => (text.length > 160 ? `${text.slice(0, 160)}…` : text);

export function expectStatus(answer: ApiAnswer, status: number, what: string): void {
  if (answer.status === status) return;
  const by = answer.fn === undefined ? 'API Gateway' : answer.fn;
  const why = answer.cause ?? excerpt(answer.body);
  throw new CheckFailed(`${what}: ${by} answered ${answer.status}, expected ${status}: ${why}`);
}

export function jsonOf<T>(answer: ApiAnswer, what: string): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new CheckFailed(`${what}: the body is not JSON: ${excerpt(answer.body)}`);
  }
}

export function invocationValue(invocation: Invocation, what: string): unknown {
  if (!invocation.ok) throw new CheckFailed(`${what} failed: ${invocation.error.name}: ${invocation.error.message}`);
  return invocation.value;
}

/** What one function's checks found. */
export interface FunctionRecord {
  readonly exercised: Set<TriggerKind>;
  readonly passed: string[];
  readonly failures: string[];
}

export class CheckRecorder {
  readonly records = new Map<DispatchFunctionName, FunctionRecord>();

  constructor(private readonly lambda: LambdaService) {}

  record(fn: DispatchFunctionName): FunctionRecord {
    let record = this.records.get(fn);
    if (record === undefined) {
      record = { exercised: new Set(), passed: [], failures: [] };
      this.records.set(fn, record);
    }
    return record;
  }

  /** Runs one check of `fn` through its `trigger`; `run` returns a short note of what held. */
  async check(fn: DispatchFunctionName, trigger: TriggerKind, run: () => Promise<string>): Promise<void> {
    const record = this.record(fn);
    record.exercised.add(trigger);
    try {
      record.passed.push(await run());
    } catch (error) {
      // A failed expectation is the function's; anything else broke a step of the verifier itself, and says so.
      const message =
        error instanceof CheckFailed
          ? error.message
          : `verifier step failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
      const logged = (await this.lambda.environmentIfStarted(fn))?.lastErrorLine();
      record.failures.push(logged === undefined ? message : `${message} [its log: ${excerpt(logged)}]`);
    }
  }
}

/** Plays the templates' event source mappings and schedules against the local queues and stream journals. */
export class EventSources {
  constructor(
    private readonly triggers: TemplateTriggers,
    private readonly backend: LocalBackend,
    private readonly lambda: LambdaService,
  ) {}

  /** Delivers everything waiting in the queue `fn` consumes, in batches of the mapping's size; returns the count. */
  async deliverQueue(fn: DispatchFunctionName, queue: QueueDefinition): Promise<number> {
    const source = this.triggers.sources.find(
      (candidate) => candidate.kind === 'queue' && candidate.fn === fn && candidate.queue.id === queue.id,
    );
    if (source === undefined) throw new CheckFailed(`the templates map no ${queue.id} to ${fn}`);
    const journal = this.backend.queue(queue);
    let delivered = 0;
    let batch = journal.take(source.batchSize);
    while (batch.length > 0) {
      const invocation = await this.lambda.invoke(fn, sqsEvent(batch, queue));
      await journal.ack(batch.map((entry) => entry.id));
      delivered += batch.length;
      expectNoBatchFailures(invocation, batch.length, `${queue.id} batch of ${batch.length}`);
      batch = journal.take(source.batchSize);
    }
    expectThat(delivered > 0, `no message was waiting in ${queue.id}`);
    return delivered;
  }

  /** Delivers the stream records journaled for `fn`'s mapping, in batches of its size; returns the count. */
  async deliverStream(fn: DispatchFunctionName): Promise<number> {
    const source = this.triggers.sources.find(
      (candidate): candidate is StreamSource => candidate.kind === 'stream' && candidate.fn === fn,
    );
    if (source === undefined) throw new CheckFailed(`the templates map no table stream to ${fn}`);
    const journal = this.backend.stream(fn);
    let delivered = 0;
    // Ordered, as a shard is read: a batch never skips past a record still in flight.
    let batch = journal.take(source.batchSize, Date.now(), true);
    while (batch.length > 0) {
      const invocation = await this.lambda.invoke(fn, streamEvent(batch));
      await journal.ack(batch.map((entry) => entry.id));
      delivered += batch.length;
      expectNoBatchFailures(invocation, batch.length, `${source.table.id} stream batch of ${batch.length}`);
      batch = journal.take(source.batchSize, Date.now(), true);
    }
    expectThat(delivered > 0, `no ${source.table.id} stream record was waiting for ${fn}`);
    return delivered;
  }

  /**
   * Fires `fn`'s schedule at `scheduledTime` as EventBridge Scheduler would: its input to the function, or as a
   * message to the queue it targets (then delivered). Returns the function's answer when invoked directly.
   */
  async fireSchedule(fn: DispatchFunctionName, scheduledTime: Date): Promise<unknown> {
    const schedule = this.triggers.schedules.find((candidate) => candidate.fn === fn);
    if (schedule === undefined) throw new CheckFailed(`the templates schedule nothing for ${fn}`);
    const scheduleArn = `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/default/${schedule.logicalId}`;
    const input = schedulerInput(schedule.input, scheduledTime, scheduleArn);
    if (schedule.via !== undefined) {
      await this.backend.queue(schedule.via).push([{ body: input, sentAt: Date.now() }]);
      return this.deliverQueue(fn, schedule.via);
    }
    return invocationValue(await this.lambda.invoke(fn, JSON.parse(input) as unknown), `${schedule.logicalId} invoke`);
  }
}

/** A partial batch response with no failed item, as SQS and stream mappings read it. */
function expectNoBatchFailures(invocation: Invocation, size: number, what: string): void {
  const value = invocationValue(invocation, what) as { batchItemFailures?: unknown } | null;
  const failures = value?.batchItemFailures;
  expectThat(Array.isArray(failures), `${what}: answered ${JSON.stringify(value)}, not a partial batch response`);
  expectThat(
    failures.length === 0,
    `${what}: ${failures.length} of ${size} reported failed ${JSON.stringify(failures)}`,
  );
}

/** An object's text, or undefined when the bucket has no such key. */
export async function objectText(backend: LocalBackend, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await backend.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body?.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) return undefined;
    throw error;
  }
}

export interface StoredMail {
  readonly messageId: string;
  readonly destination: { readonly to: readonly string[] };
  readonly subject: string;
  readonly body: { readonly html?: string; readonly text?: string };
}

/** Everything the SES emulator accepted so far. */
export async function sesMails(backend: LocalBackend): Promise<StoredMail[]> {
  const response = await fetch(`${backend.endpoints.ses}/store`);
  return ((await response.json()) as { emails: StoredMail[] }).emails;
}

export const mailsTo = (mails: readonly StoredMail[], email: string): StoredMail[] =>
  mails.filter((mail) => mail.destination.to.includes(email));
