import { z } from 'zod';
import { normaliseEmail } from '../core/subscribers/subscribers';
import { parseWith } from '../core/shared/validation';
import type { ApiEvent } from './api';
import { cursorParameter, limitParameter } from './list-requests';

/**
 * `GET /api/subscribers?q=&cursor=&limit=`. Addresses are stored normalised (trimmed, lowercase), so `q` is
 * normalised the same way and matches case-insensitively; an empty `q` lists everyone.
 */
const listSchema = z.object({
  q: z
    .string()
    .max(254, 'must be at most 254 characters')
    .transform(normaliseEmail)
    .transform((value) => (value === '' ? undefined : value))
    .optional(),
  cursor: cursorParameter,
  limit: limitParameter(50, 100),
});

export function subscriberListQuery(event: ApiEvent) {
  const { q, cursor, limit } = parseWith(listSchema, event.queryStringParameters ?? {});
  return { limit, ...(q === undefined ? {} : { prefix: q }), ...(cursor === undefined ? {} : { cursor }) };
}
