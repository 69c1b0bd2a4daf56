import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { idempotencyTable } from '../../lambdas/adapters/data-model';
import { idempotencyRecords } from '../../lambdas/adapters/idempotency-records';
import { ReservedIds } from '../../lambdas/adapters/reserved-ids';
import { json, type ApiEvent, type ApiResult } from '../../lambdas/http/api';
import { errorAnswer } from '../../lambdas/http/error-mapping';
import { HttpError } from '../../lambdas/http/errors';
import { IdempotencyKeys, keyedRequest, type KeyedRequest } from '../../lambdas/http/idempotency-key';
import { createTableInput } from '../../local/provision';
import { lambdaContext } from '../../local/lambda-context';

/** The Idempotency-Key contract against dynalite, which (unlike DynamoDB) returns no item on a failed condition. */
const TABLE = 'idempotency-keys-test';
let server: Server;
let client: DynamoDBClient;
let keys: IdempotencyKeys;
let reservedIds: ReservedIds;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await client.send(new CreateTableCommand(createTableInput(idempotencyTable, TABLE)));
  keys = new IdempotencyKeys(idempotencyRecords(client, TABLE), 'reports-api-test');
  reservedIds = new ReservedIds(DynamoDBDocumentClient.from(client), TABLE);
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

let counter = 0;
/** A fresh key per test, so the tests share the table without sharing records. */
function request(body = '{"title":"A"}'): KeyedRequest {
  counter += 1;
  return { scope: `E1#POST /api/reports#/api/reports#key-${counter}`, requestHash: body };
}

function created(id: string): ApiResult {
  return json(201, { id }, { location: `/api/reports/${id}` });
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  // A refusal the API maps to a 4xx, domain or HTTP; anything else would be a 500.
  const answer = errorAnswer(error);
  if (!answer) throw new Error(`expected a refusal, got ${String(error)}`);
  return { status: answer.status, code: answer.body.error.code };
}

describe('Idempotency-Key', () => {
  it('replays the first answer, marked as a replay, without running the work again', async () => {
    keys.registerLambdaContext(lambdaContext('reports-api'));
    const keyed = request();
    const work = vi.fn(async () => created('R1'));
    const first = await keys.run(keyed, work);
    const second = await keys.run(keyed, work);
    expect(work).toHaveBeenCalledTimes(1);
    expect(first.headers?.['idempotent-replayed']).toBeUndefined();
    expect(second).toMatchObject({ statusCode: 201, body: first.body });
    expect(second.headers).toMatchObject({ location: '/api/reports/R1', 'idempotent-replayed': 'true' });
  });

  it('refuses the same key with another request with 422', async () => {
    keys.registerLambdaContext(lambdaContext('reports-api'));
    const keyed = request('{"title":"A"}');
    await keys.run(keyed, async () => created('R1'));
    const other = { ...keyed, requestHash: '{"title":"B"}' };
    expect(await refusal(keys.run(other, async () => created('R2')))).toEqual({
      status: 422,
      code: 'idempotency_key_reused',
    });
  });

  it('answers 409 while the first request with the key is still running', async () => {
    keys.registerLambdaContext(lambdaContext('reports-api'));
    const keyed = request();
    let finish: (() => void) | undefined;
    const first = keys.run(keyed, () => new Promise<ApiResult>((resolve) => (finish = () => resolve(created('R1')))));
    await vi.waitFor(() => expect(finish).toBeDefined());
    expect(await refusal(keys.run(keyed, async () => created('R2')))).toEqual({
      status: 409,
      code: 'request_in_progress',
    });
    finish?.();
    expect((await first).statusCode).toBe(201);
  });

  it('leaves no record when the work fails, so the client may retry with the key', async () => {
    keys.registerLambdaContext(lambdaContext('reports-api'));
    const keyed = request();
    const failing = keys.run(keyed, async () => {
      throw new HttpError(422, 'validation_failed', 'bad');
    });
    expect(await refusal(failing)).toEqual({ status: 422, code: 'validation_failed' });
    expect((await keys.run(keyed, async () => created('R1'))).statusCode).toBe(201);
  });

  it('takes over a request whose function died, once its remaining time passed, with the same reserved id', async () => {
    const keyed = request();
    keys.registerLambdaContext(lambdaContext('reports-api', 30));
    let firstId: string | undefined;
    // The first attempt reserves its id and never finishes, as a function that timed out.
    void keys.run(keyed, async () => {
      firstId = await reservedIds.reserve(keyed, '01FIRSTATTEMPTXXXXXXXXXXXX', new Date());
      return new Promise<ApiResult>(() => undefined);
    });
    await vi.waitFor(() => expect(firstId).toBeDefined());
    await new Promise((resolve) => setTimeout(resolve, 60));
    keys.registerLambdaContext(lambdaContext('reports-api'));
    const retry = await keys.run(keyed, async () =>
      created(await reservedIds.reserve(keyed, '01SECONDATTEMPTXXXXXXXXXXX', new Date())),
    );
    expect(retry.statusCode).toBe(201);
    expect(JSON.parse(retry.body ?? '')).toEqual({ id: '01FIRSTATTEMPTXXXXXXXXXXXX' });
  });

  it('forgets a key after 24 hours', async () => {
    keys.registerLambdaContext(lambdaContext('reports-api'));
    const keyed = request();
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-01T09:00:00Z') });
    const work = vi.fn(async () => created('R1'));
    await keys.run(keyed, work);
    vi.setSystemTime(new Date('2026-11-02T08:59:00Z'));
    expect((await keys.run(keyed, work)).headers?.['idempotent-replayed']).toBe('true');
    vi.setSystemTime(new Date('2026-11-02T09:00:01Z'));
    expect((await keys.run(keyed, work)).headers?.['idempotent-replayed']).toBeUndefined();
    expect(work).toHaveBeenCalledTimes(2);
  });
});

describe('the key a request carries', () => {
  const event = (key: string | undefined, editorBody = '{}'): ApiEvent =>
    ({
      routeKey: 'POST /api/reports',
      rawPath: '/api/reports',
      headers: key === undefined ? {} : { 'idempotency-key': key },
      body: editorBody,
      isBase64Encoded: false,
    }) as unknown as ApiEvent;

  it('is scoped per editor and hashes the body with If-Match', () => {
    const mine = keyedRequest(event('k'), 'E1');
    expect(mine?.scope).not.toBe(keyedRequest(event('k'), 'E2')?.scope);
    expect(mine?.requestHash).toBe(keyedRequest(event('k'), 'E1')?.requestHash);
    expect(mine?.requestHash).not.toBe(keyedRequest(event('k', '{"a":1}'), 'E1')?.requestHash);
  });

  it('is optional, and refused with 400 when empty or longer than 255 characters', () => {
    expect(keyedRequest(event(undefined), 'E1')).toBeUndefined();
    expect(() => keyedRequest(event('x'.repeat(256)), 'E1')).toThrow(/1 to 255/);
    expect(() => keyedRequest(event(''), 'E1')).toThrow(/1 to 255/);
  });
});
