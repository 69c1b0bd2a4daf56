import { z } from 'zod';
import { normaliseEmail, type SubscriberStatus } from '../subscribers/subscribers';

/**
 * SES event publishing (configuration set → SNS): bounces and complaints suppress the address and count
 * against the edition they came from. Only what we act on is parsed; everything else passes through.
 */
const recipientList = z.array(z.object({ emailAddress: z.string() }).loose()).default([]);

export const sesEventSchema = z
  .object({
    eventType: z.string().optional(),
    /** SES notifications (identity feedback) use this name instead. */
    notificationType: z.string().optional(),
    mail: z
      .object({
        messageId: z.string(),
        tags: z.record(z.string(), z.array(z.string())).optional(),
      })
      .loose(),
    bounce: z.object({ bounceType: z.string(), bouncedRecipients: recipientList }).loose().optional(),
    complaint: z.object({ complainedRecipients: recipientList }).loose().optional(),
  })
  .loose();

export interface FeedbackAction {
  kind: 'bounce' | 'complaint';
  messageId: string;
  editionId?: string;
  emails: string[];
  /** The status the addresses get, and the ones that already say more and are kept. */
  status: SubscriberStatus;
  keep: readonly SubscriberStatus[];
}

/** Undefined for events we do not act on (deliveries, soft bounces, opens). */
export function feedbackAction(raw: unknown): FeedbackAction | undefined {
  const parsed = sesEventSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  const type = event.eventType ?? event.notificationType;
  const editionId = event.mail.tags?.edition?.[0];
  const base = { messageId: event.mail.messageId, ...(editionId ? { editionId } : {}) };
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') {
    return {
      kind: 'bounce',
      ...base,
      emails: event.bounce.bouncedRecipients.map((recipient) => normaliseEmail(recipient.emailAddress)),
      status: 'bounced',
      // A complaint says more than a bounce; a repeat bounce changes nothing.
      keep: ['complained', 'bounced'],
    };
  }
  if (type === 'Complaint' && event.complaint) {
    return {
      kind: 'complaint',
      ...base,
      emails: event.complaint.complainedRecipients.map((recipient) => normaliseEmail(recipient.emailAddress)),
      status: 'complained',
      keep: ['complained'],
    };
  }
  return undefined;
}
