import { createHash } from 'node:crypto';
import type { DurableQueue } from './durable-queue';
import { readBody } from './http-messages';
import { serveHttp, type RunningServer } from './listen';

export interface QueuedMessage {
  body: string;
  sentAt: number;
}

/**
 * The slice of the SQS JSON protocol our functions use (SendMessage, SendMessageBatch, GetQueueAttributes),
 * so handlers send with the real SDK client. Messages are journaled before the answer, like SQS's durability.
 */
export class SqsEndpoint {
  private server: RunningServer | undefined;

  constructor(private readonly queues: Map<string, DurableQueue<QueuedMessage>>) {}

  queueUrl(name: string): string {
    if (!this.server) throw new Error('The SQS endpoint is not listening yet: its queue URLs carry its port');
    return `http://127.0.0.1:${this.server.port}/000000000000/${name}`;
  }

  async listen(port: number): Promise<number> {
    this.server = await serveHttp((req, res) => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      readBody(req)
        .then((raw) => this.dispatch(target, JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>))
        .then(
          (result) => {
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
            res.end(JSON.stringify(result));
          },
          (error: unknown) => {
            res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
            res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidParameterValue', message: String(error) }));
          },
        );
    }, port);
    return this.server.port;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private queueFor(url: unknown): DurableQueue<QueuedMessage> {
    const name = typeof url === 'string' ? url.split('/').pop() : undefined;
    const queue = name ? this.queues.get(name) : undefined;
    if (!queue) throw new Error(`The specified queue does not exist: ${String(url)}`);
    return queue;
  }

  private async dispatch(target: string, request: Record<string, unknown>): Promise<unknown> {
    const queue = this.queueFor(request.QueueUrl);
    switch (target) {
      case 'SendMessage': {
        const body = String(request.MessageBody);
        const [id] = await queue.push([{ body, sentAt: Date.now() }]);
        return { MessageId: id, MD5OfMessageBody: md5(body) };
      }
      case 'SendMessageBatch': {
        const entries = request.Entries as { Id: string; MessageBody: string }[];
        const ids = await queue.push(entries.map((entry) => ({ body: entry.MessageBody, sentAt: Date.now() })));
        return {
          Successful: entries.map((entry, index) => ({
            Id: entry.Id,
            MessageId: ids[index],
            MD5OfMessageBody: md5(entry.MessageBody),
          })),
          Failed: [],
        };
      }
      case 'GetQueueAttributes':
        return { Attributes: { ApproximateNumberOfMessages: String(queue.size) } };
      default:
        throw new Error(`Unsupported SQS action ${target}`);
    }
  }
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
