/**
 * Batch APIs (DynamoDB BatchGet/BatchWrite, SQS SendMessageBatch) answer "done" while handing some entries back
 * unprocessed, typically under throttling. This sends the leftovers again with exponential backoff and full
 * jitter, and throws once the attempts are used up: entries are never silently dropped, and a throttled table
 * is never hammered by a hot loop.
 */
export interface BackoffPolicy {
  /** Calls in all, the first one included. */
  attempts: number;
  /** Ceiling of the first wait; each further wait's ceiling doubles. */
  baseDelayMs: number;
  /** No single wait is longer than this. */
  maxDelayMs: number;
}

/** Up to seven waits of at most 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2 s: about 3.5 s in all on average before giving up. */
export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 };

export class UnprocessedItemsError extends Error {
  constructor(
    readonly operation: string,
    readonly remaining: number,
    readonly attempts: number,
  ) {
    super(
      `${operation}: ${remaining} entr${remaining === 1 ? 'y' : 'ies'} still unprocessed after ${attempts} attempts`,
    );
    this.name = 'UnprocessedItemsError';
  }
}

/**
 * Calls `send` with `entries`, then with whatever it returns as unprocessed, until nothing is left.
 * `operation` names the call in the error (a command and table or queue; never the entries, which may hold
 * addresses).
 */
export async function retryUnprocessed<T>(
  operation: string,
  entries: readonly T[],
  send: (pending: T[]) => Promise<readonly T[]>,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): Promise<void> {
  let pending = [...entries];
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt >= policy.attempts) throw new UnprocessedItemsError(operation, pending.length, attempt);
    if (attempt > 0) await sleep(backoffDelay(attempt, policy, random));
    pending = [...(await send(pending))];
  }
}

/**
 * Full jitter (a uniform wait between zero and the ceiling), so callers throttled together do not retry together.
 * `retry` counts from 1.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
