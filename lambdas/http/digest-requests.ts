import { z } from 'zod';
import { READER_TIERS } from '../core/shared/reader-tier';
import { DELIVERY_OUTCOMES } from '../core/digest/deliveries';
import { parseWith } from '../core/shared/validation';
import { emailSchema } from '../core/subscribers/subscribers';
import { jsonObjectBody, rawBody, type ApiEvent } from './api';
import { cursorParameter, limitParameter } from './list-requests';

const sendSchema = z.object({}).strict();
const previewSchema = z.object({ tier: z.enum(READER_TIERS, { message: 'must be free or paid' }) });
const deliveriesSchema = z.object({
  outcome: z.enum(DELIVERY_OUTCOMES, { message: `must be one of: ${DELIVERY_OUTCOMES.join(', ')}` }),
});
const listSchema = z.object({ cursor: cursorParameter, limit: limitParameter(20, 50) });
const testSendSchema = z
  .object({ email: emailSchema, tier: z.enum(READER_TIERS, { message: 'must be free or paid' }) })
  .strict();
const pauseSchema = z.object({ reason: z.string().trim().min(1).max(300).optional() }).strict();

const hasBody = (event: ApiEvent): boolean => rawBody(event).trim() !== '';

/** `POST /api/digests` takes no options: an empty body or `{}`. */
export function checkSendRequest(event: ApiEvent): void {
  if (hasBody(event)) parseWith(sendSchema, jsonObjectBody(event));
}

/** `?tier=free|paid` of the preview. */
export const previewTier = (event: ApiEvent) => parseWith(previewSchema, event.queryStringParameters ?? {}).tier;

/** `?outcome=` of the deliveries listing. */
export const deliveriesOutcome = (event: ApiEvent) =>
  parseWith(deliveriesSchema, event.queryStringParameters ?? {}).outcome;

/** `?limit=&cursor=` of the editions list: 20 unless given, at most 50. */
export function editionListQuery(event: ApiEvent): { limit: number; cursor?: string } {
  const { limit, cursor } = parseWith(listSchema, event.queryStringParameters ?? {});
  return { limit, ...(cursor === undefined ? {} : { cursor }) };
}

/** `POST /api/digests/test {email, tier}`: one address (normalised like a subscriber's) and a tier. */
export const testSendRequest = (event: ApiEvent) => parseWith(testSendSchema, jsonObjectBody(event));

/** The operator's reason for a pause, optional (an empty body is fine). */
export function pauseReason(event: ApiEvent): string | undefined {
  return hasBody(event) ? parseWith(pauseSchema, jsonObjectBody(event)).reason : undefined;
}

export const editionId = (event: ApiEvent): string => event.pathParameters?.id ?? '';

/** `POST /api/digests/preview-report` takes a report exactly as `POST /api/reports/preview` does. */
export { reportBody } from './report-requests';
