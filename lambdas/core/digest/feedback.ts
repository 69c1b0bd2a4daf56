import { z } from 'zod';
import { normaliseEmail, type SubscriberStatus } from '../subscribers/subscribers';
import { canSend, type EditionCounter, type EditionRecord, type EditionStatusWriter } from './edition';
import { pauseReason } from './pause-rules';

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

/** The subscriber side of feedback; the subscribers store implements it. */
export interface SuppressionList {
  /** Gives an existing address `status` unless it has one of `keep`; false when nothing changed. */
  suppress(
    email: string,
    status: SubscriberStatus,
    reason: string,
    keep: readonly SubscriberStatus[],
    at: Date,
  ): Promise<boolean>;
}

/** The edition side of feedback; the digests store implements it. */
export interface FeedbackLedger extends EditionStatusWriter {
  /** True the first time this SES message and kind is recorded for the edition. */
  recordFeedback(editionId: string, messageId: string, kind: string, at: Date): Promise<boolean>;
  count(id: string, counters: Partial<Record<EditionCounter, number>>, at: Date): Promise<EditionRecord>;
}

export interface FeedbackOutcome {
  kind: FeedbackAction['kind'];
  editionId?: string;
  recipients: number;
  /** Addresses whose status changed (the others were unknown or already said as much). */
  changed: number;
  /** Why the edition was paused by this event, when it was. */
  paused?: { editionId: string; reason: string };
}

/**
 * One SES event: hard bounces and complaints suppress the address at once (the sender re-checks status before
 * every mail); each SES message counts once per edition, and an edition whose rates cross the pause rules stops
 * sending. Every step is idempotent, so a redelivered event changes nothing twice. Undefined for events we do not
 * act on.
 */
export async function applyFeedback(
  raw: unknown,
  subscribers: SuppressionList,
  editions: FeedbackLedger,
  now: Date,
): Promise<FeedbackOutcome | undefined> {
  const action = feedbackAction(raw);
  if (!action) return undefined;
  let changed = 0;
  for (const email of action.emails) {
    if (await subscribers.suppress(email, action.status, action.kind, action.keep, now)) changed += 1;
  }
  const outcome: FeedbackOutcome = {
    kind: action.kind,
    ...(action.editionId ? { editionId: action.editionId } : {}),
    recipients: action.emails.length,
    changed,
  };
  if (!action.editionId || !(await editions.recordFeedback(action.editionId, action.messageId, action.kind, now)))
    return outcome;
  const edition = await editions.count(
    action.editionId,
    { [action.kind === 'bounce' ? 'bounced' : 'complained']: 1 },
    now,
  );
  const reason = canSend(edition.status) ? pauseReason(edition) : undefined;
  if (reason && (await editions.setStatus(edition.id, ['planning', 'sending'], 'paused', now, reason))) {
    return { ...outcome, paused: { editionId: edition.id, reason } };
  }
  return outcome;
}
