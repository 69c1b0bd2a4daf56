import { z } from 'zod';
import { InvalidCursorError } from '../adapters/dynamo/cursor';
import { BadRequestError } from './errors';

/**
 * Query parameters every paged list shares: `limit` (an integer in a range, with a default) and `cursor` (opaque,
 * from the previous page). Checked with zod, so a bad one is a 422 naming it.
 */
export function limitParameter(fallback: number, max: number) {
  const message = `must be an integer from 1 to ${max}`;
  return z.coerce.number({ message }).int(message).min(1, message).max(max, message).default(fallback);
}

export const cursorParameter = z.string().min(1, 'must not be empty').max(2048).optional();

/** A cursor the list did not issue is the client's mistake: 400 `invalid_cursor`, as on the reports list. */
export function badCursor(error: unknown): never {
  if (error instanceof InvalidCursorError) {
    throw new BadRequestError('invalid_cursor', error.message, [{ field: 'cursor', message: error.message }]);
  }
  throw error;
}
