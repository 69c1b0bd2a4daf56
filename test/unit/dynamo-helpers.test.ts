import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchGetItems, batchWriteItems } from '../../lambdas/adapters/dynamo/batch';
import { conditionalWrite, whenConditionHolds } from '../../lambdas/adapters/dynamo/conditional-write';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../lambdas/adapters/dynamo/cursor';
import { queryAll, queryPage } from '../../lambdas/adapters/dynamo/query';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  retryUnprocessed,
  UnprocessedItemsError,
} from '../../lambdas/adapters/retry-unprocessed';

/**
 * Error paths of the DynamoDB helpers against a stubbed client: a real DynamoDBDocumentClient (the SDK's
 * paginator insists on one) whose `send` answers from a script instead of the network.
 */
type Answer = (command: object) => unknown;

function stubClient(...answers: Answer[]) {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  const sent: object[] = [];
  const send = async (command: object): Promise<unknown> => {
    sent.push(command);
    const answer = answers.shift();
    if (!answer) throw new Error('The stub has no answer left');
    return answer(command);
  };
  Object.assign(client, { send });
  return { client, sent };
}

const conditionFailed = () => {
  throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
};
const throttled = () => {
  throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
};
const put = () =>
  new PutCommand({ TableName: 't', Item: { pk: 'a' }, ConditionExpression: 'attribute_not_exists(pk)' });

afterEach(() => {
  vi.useRealTimers();
});

describe('conditionalWrite', () => {
  it('answers true when the write went through', async () => {
    const { client } = stubClient(() => ({ $metadata: {} }));
    expect(await conditionalWrite(client, put())).toBe(true);
  });

  it('answers false when the condition did not hold', async () => {
    const { client } = stubClient(conditionFailed);
    expect(await conditionalWrite(client, put())).toBe(false);
  });

  it('throws every other error as it is', async () => {
    const { client } = stubClient(throttled);
    await expect(conditionalWrite(client, put())).rejects.toThrow('Rate exceeded');
  });

  it('gives the output of a write whose condition held, undefined otherwise', async () => {
    const update = () => new UpdateCommand({ TableName: 't', Key: { pk: 'a' }, UpdateExpression: 'SET b = :b' });
    const { client } = stubClient(() => ({ Attributes: { b: 1 }, $metadata: {} }), conditionFailed);
    expect((await whenConditionHolds(client.send(update())))?.Attributes).toEqual({ b: 1 });
    expect(await whenConditionHolds(client.send(update()))).toBeUndefined();
  });
});

describe('retryUnprocessed', () => {
  const half = () => 0.5;

  it('waits a jittered, growing time before each retry', async () => {
    vi.useFakeTimers();
    const calls: string[][] = [];
    const leftovers = [['b', 'c'], ['c'], []];
    const done = retryUnprocessed(
      'test',
      ['a', 'b', 'c'],
      async (pending) => {
        calls.push(pending);
        return leftovers.shift() ?? [];
      },
      DEFAULT_BACKOFF,
      half,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([['a', 'b', 'c']]);
    // First retry: half of a 100 ms ceiling.
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    // Second retry: half of 200 ms.
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(calls).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']]);
  });

  it('gives up after the last attempt and says how many were left', async () => {
    vi.useFakeTimers();
    const policy = { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 };
    let calls = 0;
    const done = retryUnprocessed(
      'BatchWrite on t',
      ['a', 'b'],
      async (pending) => {
        calls += 1;
        return pending;
      },
      policy,
    );
    const outcome = expect(done).rejects.toThrow(new UnprocessedItemsError('BatchWrite on t', 2, 3).message);
    await vi.runAllTimersAsync();
    await outcome;
    expect(calls).toBe(3);
  });

  it('never sleeps when nothing is left over', async () => {
    let calls = 0;
    await retryUnprocessed('test', ['a'], async () => {
      calls += 1;
      return [];
    });
    expect(calls).toBe(1);
  });
});

describe('backoffDelay', () => {
  const policy = { attempts: 10, baseDelayMs: 50, maxDelayMs: 2_000 };

  it('draws between zero and a ceiling that doubles per retry', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelay(12, policy, () => 0.999)).toBe(1_998);
  });
});

describe('batchGetItems', () => {
  it('asks again for unprocessed keys and collects every item', async () => {
    vi.useFakeTimers();
    const { client, sent } = stubClient(
      () => ({ Responses: { t: [{ pk: 'a' }] }, UnprocessedKeys: { t: { Keys: [{ pk: 'b' }] } }, $metadata: {} }),
      () => ({ Responses: { t: [{ pk: 'b' }] }, $metadata: {} }),
    );
    const found = batchGetItems(client, 't', [{ pk: 'a' }, { pk: 'b' }], { consistentRead: true });
    await vi.runAllTimersAsync();
    expect(await found).toEqual([{ pk: 'a' }, { pk: 'b' }]);
    expect(sent.map((command) => (command as BatchGetCommand).input.RequestItems?.t)).toEqual([
      { Keys: [{ pk: 'a' }, { pk: 'b' }], ConsistentRead: true },
      { Keys: [{ pk: 'b' }], ConsistentRead: true },
    ]);
  });

  it('asks for at most 100 keys per call', async () => {
    const keys = Array.from({ length: 250 }, (_, index) => ({ pk: String(index) }));
    const empty = () => ({ Responses: { t: [] }, $metadata: {} });
    const { client, sent } = stubClient(empty, empty, empty);
    await batchGetItems(client, 't', keys);
    expect(sent.map((command) => (command as BatchGetCommand).input.RequestItems?.t?.Keys?.length)).toEqual([
      100, 100, 50,
    ]);
  });
});

describe('batchWriteItems', () => {
  it('fails loudly when items stay unprocessed: nothing is dropped in silence', async () => {
    vi.useFakeTimers();
    const stuck = (command: object) => ({
      UnprocessedItems: (command as BatchWriteCommand).input.RequestItems,
      $metadata: {},
    });
    const { client, sent } = stubClient(...Array.from({ length: DEFAULT_BACKOFF.attempts }, () => stuck));
    const written = batchWriteItems(client, 't', [{ PutRequest: { Item: { pk: 'a' } } }]);
    const outcome = expect(written).rejects.toBeInstanceOf(UnprocessedItemsError);
    await vi.runAllTimersAsync();
    await outcome;
    expect(sent).toHaveLength(DEFAULT_BACKOFF.attempts);
  });

  it('writes at most 25 requests per call', async () => {
    const requests = Array.from({ length: 30 }, (_, index) => ({ PutRequest: { Item: { pk: String(index) } } }));
    const { client, sent } = stubClient(
      () => ({ $metadata: {} }),
      () => ({ $metadata: {} }),
    );
    await batchWriteItems(client, 't', requests);
    expect(sent.map((command) => (command as BatchWriteCommand).input.RequestItems?.t?.length)).toEqual([25, 5]);
  });
});

describe('queryAll', () => {
  it('follows LastEvaluatedKey to the last page and leaves the input as it was', async () => {
    const { client, sent } = stubClient(
      () => ({ Items: [{ pk: 'a' }], LastEvaluatedKey: { pk: 'a' }, $metadata: {} }),
      () => ({ Items: [{ pk: 'b' }], $metadata: {} }),
    );
    const input = { TableName: 't', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'a' } };
    expect(await queryAll(client, input)).toEqual([{ pk: 'a' }, { pk: 'b' }]);
    expect((sent[1] as QueryCommand).input.ExclusiveStartKey).toEqual({ pk: 'a' });
    expect(input).not.toHaveProperty('ExclusiveStartKey');
  });
});

describe('cursors', () => {
  const anyObject = () => true;

  it('round-trips a key through an opaque cursor', () => {
    const key = { pk: 'REPORT#1', sk: 'REPORT' };
    expect(decodeCursor(encodeCursor(key), anyObject)).toEqual(key);
  });

  it.each([
    ['not JSON', Buffer.from('{nope', 'utf8').toString('base64url')],
    ['an array', encodeCursor([] as unknown as Record<string, unknown>)],
    ['null', Buffer.from('null', 'utf8').toString('base64url')],
  ])('refuses a cursor that is %s', (_, cursor) => {
    expect(() => decodeCursor(cursor, anyObject)).toThrow(InvalidCursorError);
  });

  it('refuses a key its query does not issue', () => {
    expect(() => decodeCursor(encodeCursor({ pk: 'x' }), (key) => 'sk' in key)).toThrow(InvalidCursorError);
  });

  it('pages a query with cursors and never sends a refused one to DynamoDB', async () => {
    const { client, sent } = stubClient(() => ({ Items: [{ pk: 'a' }], LastEvaluatedKey: { pk: 'a' }, $metadata: {} }));
    const input = { TableName: 't', KeyConditionExpression: 'pk = :pk' };
    const page = await queryPage(client, input, undefined, anyObject);
    expect(page).toEqual({ items: [{ pk: 'a' }], nextCursor: encodeCursor({ pk: 'a' }) });
    await expect(queryPage(client, input, 'garbage', () => false)).rejects.toThrow(InvalidCursorError);
    expect(sent).toHaveLength(1);
  });
});
