import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rebuildOncePerBatch, reportChange, touchesReport } from '../../lambdas/events/report-stream';
import { RedeliveryRequested, sqsConsumer, UnreadableMessageError } from '../../lambdas/events/sqs-consumer';
import { lambdaContext } from '../../local/lambda-context';

const context: Context = lambdaContext('test');
const schema = z.object({ n: z.number() });

function sqsEvent(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, index) => ({ messageId: `m${index + 1}`, body }) as SQSRecord),
  };
}

/** A consumer that records what it saw and fails, or asks for redelivery, on the numbers it is told to. */
function consumer(options: { fail?: number[]; redeliver?: number[]; drop?: boolean } = {}) {
  const seen: string[] = [];
  const failures: [string, string][] = [];
  const handler = sqsConsumer({
    schema,
    async handle(message, record) {
      seen.push(`start ${record.messageId}`);
      // Yield so that a parallel run would interleave starts and ends.
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(`end ${record.messageId}`);
      if (options.fail?.includes(message.n)) throw new Error(`failed ${message.n}`);
      if (options.redeliver?.includes(message.n)) throw new RedeliveryRequested();
    },
    onFailure: (record, error) => failures.push([record.messageId, error instanceof Error ? error.name : 'unknown']),
    ...(options.drop ? { onUnreadable: (record: SQSRecord) => seen.push(`dropped ${record.messageId}`) } : {}),
  });
  return { handler, seen, failures };
}

describe('sqsConsumer', () => {
  it('reports exactly the messages that failed', async () => {
    const { handler, failures } = consumer({ fail: [2] });
    const response = await handler(sqsEvent('{"n":1}', '{"n":2}', '{"n":3}'), context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(failures).toEqual([['m2', 'Error']]);
  });

  it('handles one message after the other, in order', async () => {
    const { handler, seen } = consumer();
    await handler(sqsEvent('{"n":1}', '{"n":2}'), context);
    expect(seen).toEqual(['start m1', 'end m1', 'start m2', 'end m2']);
  });

  it('hands back a message that asks for redelivery without logging it as a failure', async () => {
    const { handler, failures } = consumer({ redeliver: [1] });
    const response = await handler(sqsEvent('{"n":1}', '{"n":2}'), context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(failures).toEqual([]);
  });

  it('answers a batch where every message failed with every id instead of throwing', async () => {
    const { handler } = consumer({ fail: [1, 2] });
    const response = await handler(sqsEvent('{"n":1}', '{"n":2}'), context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
  });

  it('fails a message of the wrong shape unless the consumer drops those', async () => {
    const strict = consumer();
    expect(await strict.handler(sqsEvent('{"n":"one"}'), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    expect(strict.failures).toEqual([['m1', new UnreadableMessageError().name]]);

    const lenient = consumer({ drop: true });
    expect(await lenient.handler(sqsEvent('{"n":"one"}'), context)).toEqual({ batchItemFailures: [] });
    expect(lenient.seen).toEqual(['dropped m1']);
  });

  it('always fails a body that is not JSON', async () => {
    const { handler, failures } = consumer({ drop: true });
    expect(await handler(sqsEvent('not json'), context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(failures).toEqual([['m1', 'SyntaxError']]);
  });

  it('passes the invocation context to the consumer', async () => {
    let remaining: number | undefined;
    const handler = sqsConsumer({
      schema,
      async handle(_message, _record, given) {
        remaining = given.getRemainingTimeInMillis();
      },
      onFailure: () => undefined,
    });
    await handler(sqsEvent('{"n":1}'), context);
    expect(remaining).toBeGreaterThan(0);
  });
});

const reportItem = (id: string, listing?: string) =>
  marshall({ pk: `REPORT#${id}`, sk: 'REPORT', id, title: 't', ...(listing ? { listing } : {}) });

function streamRecord(sequence: string, images: { old?: unknown; new?: unknown }): DynamoDBRecord {
  return {
    dynamodb: {
      SequenceNumber: sequence,
      ...(images.old ? { OldImage: images.old } : {}),
      ...(images.new ? { NewImage: images.new } : {}),
    },
  } as DynamoDBRecord;
}

describe('report stream', () => {
  it('reads the report before and after, and ignores items that are not reports', () => {
    const change = reportChange(streamRecord('1', { old: reportItem('R1'), new: reportItem('R1', 'public') }));
    expect(change?.before).toMatchObject({ listed: false, record: { id: 'R1' } });
    expect(change?.after).toMatchObject({ listed: true, record: { id: 'R1' } });
    expect(change?.after?.record).not.toHaveProperty('pk');

    const slugClaim = streamRecord('2', { new: marshall({ pk: 'SLUG#a', sk: 'SLUG' }) });
    expect(reportChange(slugClaim)).toBeUndefined();
    expect(touchesReport(slugClaim)).toBe(false);
    expect(touchesReport(streamRecord('3', { old: reportItem('R1') }))).toBe(true);
  });

  it('rebuilds once per batch and, on failure, hands the batch back from its first record', async () => {
    const event: DynamoDBStreamEvent = {
      Records: [streamRecord('100', { new: reportItem('R1') }), streamRecord('101', { new: reportItem('R2') })],
    };
    let rebuilds = 0;
    const ok = await rebuildOncePerBatch(
      event,
      async () => {
        rebuilds += 1;
      },
      () => undefined,
    );
    expect(ok).toEqual({ batchItemFailures: [] });
    expect(rebuilds).toBe(1);

    const errors: unknown[] = [];
    const failed = await rebuildOncePerBatch(
      event,
      async () => {
        throw new Error('S3 down');
      },
      (error) => errors.push(error),
    );
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    expect(errors).toHaveLength(1);
  });
});
