import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { traced } from './observability';

let sqs: SQSClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= traced(new SQSClient({}));
  return sqs;
}

/** SQS allows ten entries per SendMessageBatch. */
const BATCH_LIMIT = 10;

/** One SQS queue, JSON bodies. */
export class JsonQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(body: unknown): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body) }));
  }

  /** Sends in batches of ten and retries entries SQS reports as failed; throws if some never go through. */
  async sendAll(bodies: readonly unknown[]): Promise<void> {
    for (let offset = 0; offset < bodies.length; offset += BATCH_LIMIT) {
      let entries = bodies
        .slice(offset, offset + BATCH_LIMIT)
        .map((body, index) => ({ Id: String(index), MessageBody: JSON.stringify(body) }));
      for (let attempt = 0; entries.length > 0; attempt += 1) {
        if (attempt >= 5) throw new Error(`SQS refused ${entries.length} message(s) after ${attempt} attempts`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const { Failed = [] } = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        const failed = new Set(Failed.map((failure) => failure.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
