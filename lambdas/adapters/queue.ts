import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { traced } from './observability';
import { retryUnprocessed, type BackoffPolicy } from './retry-unprocessed';

let sqs: SQSClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= traced(new SQSClient({}));
  return sqs;
}

/** SQS allows ten entries per SendMessageBatch. */
const BATCH_LIMIT = 10;
/** Five calls in all, as before: a planning step that cannot queue its page fails, and SQS redelivers it. */
const SQS_BACKOFF: BackoffPolicy = { attempts: 5, baseDelayMs: 50, maxDelayMs: 1_000 };

/** One SQS queue, JSON bodies. */
export class JsonQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(body: unknown): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body) }));
  }

  /**
   * Sends in batches of ten and sends again, with backoff, the entries SQS reports as failed; throws if some never
   * go through (see `retryUnprocessed`).
   */
  async sendAll(bodies: readonly unknown[]): Promise<void> {
    for (let offset = 0; offset < bodies.length; offset += BATCH_LIMIT) {
      const entries = bodies
        .slice(offset, offset + BATCH_LIMIT)
        .map((body, index) => ({ Id: String(index), MessageBody: JSON.stringify(body) }));
      await retryUnprocessed(
        'SendMessageBatch',
        entries,
        async (pending) => {
          const { Failed = [] } = await this.client.send(
            new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
          );
          const failed = new Set(Failed.map((failure) => failure.Id));
          return pending.filter((entry) => failed.has(entry.Id));
        },
        SQS_BACKOFF,
      );
    }
  }
}
