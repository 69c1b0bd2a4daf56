import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';

/** Thrown by a consumer that did what it could with a message and wants it delivered again; not a failure. */
export class RedeliveryRequested extends Error {
  override readonly name = 'RedeliveryRequested';

  constructor() {
    super('The message is handed back for redelivery');
  }
}

/** A body that is JSON but not the shape this queue's producer writes. */
export class UnreadableMessageError extends Error {
  override readonly name = 'UnreadableMessageError';

  constructor() {
    super('The message is not one this consumer understands');
  }
}

export interface SqsConsumer<T> {
  /** What every message body must be; `handle` only sees bodies that pass. */
  schema: z.ZodType<T>;
  handle(message: T, record: SQSRecord, context: Context): Promise<void>;
  /** Every failed record before it is reported for redelivery. Log its id, never its body: bodies carry addresses. */
  onFailure(record: SQSRecord, error: unknown): void;
  /**
   * When set, a body that does not match `schema` is dropped after this call instead of failing (and ending in the
   * DLQ after maxReceiveCount). Bodies that are not JSON at all always fail.
   */
  onUnreadable?: (record: SQSRecord) => void;
}

/**
 * An SQS handler on Powertools' partial batch response: each message is handled on its own, and only those that
 * failed or asked for redelivery are reported in `batchItemFailures` (local/delivery.ts honours it like AWS).
 */
export function sqsConsumer<T>(consumer: SqsConsumer<T>) {
  const handleRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    try {
      const parsed = consumer.schema.safeParse(JSON.parse(record.body) as unknown);
      if (parsed.success) return await consumer.handle(parsed.data, record, context);
      if (!consumer.onUnreadable) throw new UnreadableMessageError();
      consumer.onUnreadable(record);
    } catch (error) {
      // Logged here because the processor only keeps the error; rethrown so the record is reported.
      if (!(error instanceof RedeliveryRequested)) consumer.onFailure(record, error);
      throw error;
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(
      event,
      handleRecord,
      // One processor per invocation: it holds the batch's state, and the local stack runs several batches of
      // one function in the same process at once.
      new BatchProcessor(EventType.SQS),
      {
        context,
        // One message after the other, as before: the mail sender's pacing and claim order assume it.
        processInParallel: false,
        // A batch where every message failed is still answered with every id. Throwing instead would count as a
        // function error (alarms) for what is an ordinary retry, and AWS would retry the batch either way.
        throwOnFullBatchFailure: false,
      },
    );
}
