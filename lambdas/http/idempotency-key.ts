import { createHash } from 'node:crypto';
import type { Context } from 'aws-lambda';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyItemNotFoundError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
// zod/mini: this module is on the submit path, where classic zod alone would be ~440 KB of the bundle and its init.
import * as z from 'zod/mini';
import { header, json, rawBody, type ApiEvent, type ApiResult } from './api';
import { ConflictError } from '../core/shared/errors';
import { BadRequestError, HttpError } from './errors';

/** A request that carries an Idempotency-Key: the key scoped to its editor and route, and what its content hashes to. */
export interface KeyedRequest {
  scope: string;
  requestHash: string;
}

/**
 * The request's Idempotency-Key, if it sent one. The key is scoped per editor, route and path, so two editors (or
 * two reports) never share one; the hash covers the body and If-Match, the whole of what the request asks for.
 */
export function keyedRequest(event: ApiEvent, editorId: string): KeyedRequest | undefined {
  const key = header(event, 'idempotency-key');
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) {
    throw new BadRequestError('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 characters' },
    ]);
  }
  const requestHash = createHash('sha256')
    .update(rawBody(event))
    .update('\0')
    .update(header(event, 'if-match') ?? '')
    .digest('hex');
  return { scope: `${editorId}#${event.routeKey}#${event.rawPath}#${key}`, requestHash };
}

/** What is stored of a first answer and replayed to its retries. */
const storedResponseSchema = z.object({
  statusCode: z.int(),
  body: z.string(),
  location: z.optional(z.string()),
});
type StoredResponse = z.infer<typeof storedResponseSchema>;

/** How long a first answer is replayed; the table's TTL removes the record some time after. */
const REPLAY_SECONDS = 24 * 3600;

/**
 * Idempotency-Key through Powertools: the first answer is stored and replayed to every retry with the same key
 * and content; the same key with other content is a client error (422); a retry while the first request runs is
 * told to wait (409). A request that fails leaves no record, so the client may fix it and retry with the key.
 * A request whose function died is taken over once the Lambda's remaining time has passed (register the context).
 */
export class IdempotencyKeys {
  readonly #config = new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'requestHash',
    throwOnNoIdempotencyKey: true,
    hashFunction: 'sha256',
    expiresAfterSeconds: REPLAY_SECONDS,
  });
  readonly #remember: (request: KeyedRequest, work: () => Promise<StoredResponse>) => Promise<StoredResponse>;

  constructor(persistenceStore: BasePersistenceLayer, keyPrefix: string) {
    this.#remember = makeIdempotent(
      (_request: KeyedRequest, work: () => Promise<StoredResponse>): Promise<StoredResponse> => work(),
      { persistenceStore, config: this.#config, keyPrefix, dataIndexArgument: 0 },
    );
  }

  /** The in-progress lock lasts as long as this invocation can: call once per invocation. */
  registerLambdaContext(context: Context): void {
    this.#config.registerLambdaContext(context);
  }

  /** Runs `work` once per keyed request and replays its answer; without a key, simply runs it. */
  async run(request: KeyedRequest | undefined, work: () => Promise<ApiResult>): Promise<ApiResult> {
    if (!request) return work();
    let answer: ApiResult | undefined;
    const stored = await this.#remember(request, async () => {
      answer = await work();
      return toStored(answer);
    }).catch(refusal);
    return answer ?? replay(storedResponseSchema.parse(stored));
  }
}

function toStored(result: ApiResult): StoredResponse {
  const location = result.headers?.location;
  return {
    statusCode: result.statusCode ?? 200,
    body: result.body ?? '',
    // No undefined attribute: Powertools marshals the record without `removeUndefinedValues`.
    ...(typeof location === 'string' ? { location } : {}),
  };
}

function replay(stored: StoredResponse): ApiResult {
  return json(stored.statusCode, JSON.parse(stored.body) as unknown, {
    ...(stored.location ? { location: stored.location } : {}),
    'idempotent-replayed': 'true',
  });
}

/** Powertools' refusals as our HTTP answers; anything else (the work's own errors included) passes unchanged. */
function refusal(error: unknown): never {
  if (error instanceof IdempotencyValidationError) {
    throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request', [
      { field: 'Idempotency-Key', message: 'was already used with a different body' },
    ]);
  }
  // Not found and inconsistent: the first request let go of the key while this one looked; a retry settles it.
  if (
    error instanceof IdempotencyAlreadyInProgressError ||
    error instanceof IdempotencyItemNotFoundError ||
    error instanceof IdempotencyInconsistentStateError
  ) {
    throw new ConflictError(
      'request_in_progress',
      'A request with this Idempotency-Key is still being processed; retry shortly',
    );
  }
  throw error;
}
