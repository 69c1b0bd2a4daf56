import { z } from 'zod';
import { COMBINATION_KEY } from './series-combination';

/** What the planner and sender queues carry, and how recipients are batched into messages. */

/** Ten per message keeps an SQS batch of ten within one sender invocation at ~7 mails/s per instance. */
export const RECIPIENTS_PER_MESSAGE = 10;
/** Subscribers read per planning step; one conditional progress write per page. */
export const PLAN_PAGE_SIZE = 500;

export const planMessageSchema = z.union([
  z.object({ trigger: z.literal('schedule'), scheduledTime: z.iso.datetime({ offset: true }) }),
  // Before the plain `{editionId}`, which would otherwise take this message (and drop the flag) as a plan request.
  z.object({ editionId: z.string().min(1), refreshPages: z.literal(true) }),
  z.object({ editionId: z.string().min(1), retryUnknown: z.literal(true).optional() }),
]);
export type PlanMessage = z.infer<typeof planMessageSchema>;

export const mailMessageSchema = z.object({
  editionId: z.string().min(1),
  emails: z.array(z.string().min(3)).min(1).max(100),
  /**
   * The recipients' combination of series (series-combination.ts), whose compiled edition they get. Absent in
   * messages queued before readers chose series: those mean the whole edition as compiled then.
   */
  series: z.string().max(1000).regex(COMBINATION_KEY).optional(),
});
export type MailMessage = z.infer<typeof mailMessageSchema>;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let offset = 0; offset < items.length; offset += size) chunks.push(items.slice(offset, offset + size));
  return chunks;
}
