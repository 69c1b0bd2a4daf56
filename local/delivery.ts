import type { Context, DynamoDBRecord, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DurableQueue, QueueEntry } from './durable-queue';
import { lambdaContext } from './lambda-context';
import type { QueuedMessage } from './sqs-endpoint';

export type Invoke<E> = (event: E, context: Context) => Promise<unknown>;

export interface DeliveryOptions {
  name: string;
  batchSize: number;
  /** Attempts before a record goes to the dead-letter store (SQS maxReceiveCount, stream retry limit). */
  maxAttempts: number;
  /** First retry delay; doubles per attempt. */
  retryDelayMs: number;
  /** Batches in flight at once (SQS scales out; a stream shard never does). */
  concurrency: number;
  /** Like MaximumBatchingWindowInSeconds: wait this long for a fuller batch. @default 0 */
  batchWindowMs?: number;
  onDeadLetter?: (name: string, count: number, reason: string) => void;
}

interface BatchFailures {
  batchItemFailures?: { itemIdentifier: string }[];
}

/**
 * Event source mappings for the local stack: pull from a durable queue, invoke the handler with the event AWS
 * would send, honour partial batch responses, retry with backoff and bury what keeps failing.
 */
abstract class Delivery<T, E> {
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    protected readonly queue: DurableQueue<T>,
    protected readonly invoke: Invoke<E>,
    protected readonly options: DeliveryOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  /** Stops taking new batches and waits for those in flight, so nothing is half-delivered at exit. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Resolves when the queue has nothing pending or in flight (tests and `npm start` shutdown use it). */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.size > 0 || this.queue.busy) {
      if (Date.now() > deadline) throw new Error(`${this.options.name} did not drain within ${timeoutMs} ms`);
      await this.queue.changed(50);
    }
  }

  protected abstract readonly ordered: boolean;
  protected abstract toEvent(entries: QueueEntry<T>[]): E;
  protected abstract identify(entry: QueueEntry<T>): string;

  private async loop(): Promise<void> {
    while (this.running) {
      const window = this.options.batchWindowMs ?? 0;
      const age = this.queue.oldestWaitingAge();
      if (window > 0 && age !== undefined && age < window && this.queue.size < this.options.batchSize) {
        await this.queue.changed(window - age);
        continue;
      }
      const batch = this.queue.take(this.options.batchSize, Date.now(), this.ordered);
      if (batch.length === 0) {
        await this.queue.changed(100);
        continue;
      }
      await this.deliver(batch);
    }
  }

  private async deliver(batch: QueueEntry<T>[]): Promise<void> {
    let failedIds: Set<string>;
    let reason = 'batch item failure';
    try {
      const result = (await this.invoke(this.toEvent(batch), lambdaContext(this.options.name))) as
        BatchFailures | undefined;
      failedIds = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
      failedIds = new Set(batch.map((entry) => this.identify(entry)));
    }
    const failedFrom = this.ordered ? batch.findIndex((entry) => failedIds.has(this.identify(entry))) : -1;
    const failed = this.ordered
      ? failedFrom < 0
        ? []
        : batch.slice(failedFrom)
      : batch.filter((entry) => failedIds.has(this.identify(entry)));
    const failedSet = new Set(failed);
    await this.queue.ack(batch.filter((entry) => !failedSet.has(entry)).map((entry) => entry.id));
    for (const entry of failed) {
      const delay = this.options.retryDelayMs * 2 ** entry.attempts;
      const outcome = await this.queue.release(entry.id, delay, this.options.maxAttempts, reason);
      if (outcome === 'dead') this.options.onDeadLetter?.(this.options.name, 1, reason);
    }
  }
}

export class StreamDelivery extends Delivery<DynamoDBRecord, DynamoDBStreamEvent> {
  protected readonly ordered = true;

  constructor(
    queue: DurableQueue<DynamoDBRecord>,
    invoke: Invoke<DynamoDBStreamEvent>,
    options: Omit<DeliveryOptions, 'concurrency'>,
  ) {
    super(queue, invoke, { ...options, concurrency: 1 });
  }

  protected toEvent(entries: QueueEntry<DynamoDBRecord>[]): DynamoDBStreamEvent {
    return { Records: entries.map((entry) => entry.body) };
  }

  protected identify(entry: QueueEntry<DynamoDBRecord>): string {
    return entry.body.dynamodb?.SequenceNumber ?? entry.id;
  }
}

export class SqsDelivery extends Delivery<QueuedMessage, SQSEvent> {
  protected readonly ordered = false;

  constructor(
    queue: DurableQueue<QueuedMessage>,
    invoke: Invoke<SQSEvent>,
    options: DeliveryOptions,
    private readonly queueArn: string,
  ) {
    super(queue, invoke, options);
  }

  protected toEvent(entries: QueueEntry<QueuedMessage>[]): SQSEvent {
    return sqsEventOf(entries, { queueArn: this.queueArn, senderId: 'LOCAL', region: 'us-east-1' });
  }

  protected identify(entry: QueueEntry<QueuedMessage>): string {
    return entry.id;
  }
}

export type { SQSBatchResponse };

/** SQS's event for a batch of journaled messages, as Lambda's event source mapping delivers it. */
export function sqsEventOf(
  entries: readonly QueueEntry<QueuedMessage>[],
  source: { queueArn: string; senderId: string; region: string },
): SQSEvent {
  return {
    Records: entries.map((entry) => ({
      messageId: entry.id,
      receiptHandle: `${entry.id}#${entry.attempts}`,
      body: entry.body.body,
      attributes: {
        ApproximateReceiveCount: String(entry.attempts + 1),
        SentTimestamp: String(entry.body.sentAt),
        SenderId: source.senderId,
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: source.queueArn,
      awsRegion: source.region,
    })),
  };
}
