import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsDelivery } from '../../local/delivery';
import { DurableQueue } from '../../local/durable-queue';
import type { QueuedMessage } from '../../local/sqs-endpoint';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dispatch-queue-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const message = (body: string): QueuedMessage => ({ body, sentAt: 0 });

describe('DurableQueue', () => {
  it('redelivers after a restart whatever was acknowledged to the sender but not yet to the consumer', async () => {
    const file = join(dir, 'q.jsonl');
    const queue = new DurableQueue<QueuedMessage>(file);
    await queue.open();
    await queue.push([message('a'), message('b'), message('c')]);
    const [first] = queue.take(1);
    await queue.ack([first?.id ?? '']);
    await queue.close();

    const reopened = new DurableQueue<QueuedMessage>(file);
    await reopened.open();
    expect(reopened.take(10).map((entry) => entry.body.body)).toEqual(['b', 'c']);
    await reopened.close();
  });
});

describe('SqsDelivery', () => {
  it('retries only the failed records of a partial batch response and buries them after maxAttempts', async () => {
    const queue = new DurableQueue<QueuedMessage>(join(dir, 'sqs.jsonl'));
    await queue.open();
    await queue.push([message('ok'), message('poison')]);
    const seen: string[] = [];
    const dead: string[] = [];
    const delivery = new SqsDelivery(
      queue,
      async (event: SQSEvent) => {
        seen.push(...event.Records.map((record) => record.body));
        return {
          batchItemFailures: event.Records.filter((record) => record.body === 'poison').map((record) => ({
            itemIdentifier: record.messageId,
          })),
        };
      },
      {
        name: 'test',
        batchSize: 10,
        maxAttempts: 3,
        retryDelayMs: 1,
        concurrency: 1,
        onDeadLetter: (name) => dead.push(name),
      },
      'arn:aws:sqs:us-east-1:000000000000:test',
    );
    delivery.start();
    await delivery.drained(5_000);
    await delivery.stop();
    expect(seen.filter((body) => body === 'ok')).toHaveLength(1);
    expect(seen.filter((body) => body === 'poison')).toHaveLength(3);
    expect(dead).toEqual(['test']);
    expect(queue.deadLetters().map((letter) => letter.body.body)).toEqual(['poison']);
    await queue.close();
  });
});
