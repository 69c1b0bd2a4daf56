import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DigestTier } from './digest';
import type { Publication } from './publication';
import type { PaidPart, ReportRecord } from './report';
import { paidView, publicView, type ReportView } from './tiers';

/**
 * Editions of the digest: their windows, their progress counters and the rules that end or pause them. Pure;
 * the planner and sender apply these decisions through their ports.
 */
export const EDITION_STATUSES = ['planning', 'sending', 'sent', 'paused', 'failed'] as const;
export type EditionStatus = (typeof EDITION_STATUSES)[number];
/** States the CLI stops polling at. */
export const FINAL_EDITION_STATUSES: readonly EditionStatus[] = ['sent', 'paused', 'failed'];

export const EDITION_COUNTERS = ['queued', 'sent', 'failed', 'suppressed', 'notSent', 'bounced', 'complained'] as const;
export type EditionCounter = (typeof EDITION_COUNTERS)[number];

export interface EditionRecord {
  id: string;
  status: EditionStatus;
  trigger: 'manual' | 'schedule';
  /** Reports published in [windowStart, windowEnd) belong to this edition. ISO UTC. */
  windowStart: string;
  windowEnd: string;
  reportIds: string[];
  createdAt: string;
  updatedAt: string;
  /** Active subscribers at planning time; set when planning finishes. */
  recipients?: number;
  /** Planning progress: the next page of active subscribers to enqueue, and its cursor. */
  planPage: number;
  planCursor?: string;
  /** Every page of recipients is on the mail queue. */
  plannedAll?: boolean;
  compiledAt?: string;
  completedAt?: string;
  /** Why the edition was paused or failed, for the operator. */
  reason?: string;
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  /** Recipients skipped because the edition was paused before their turn. */
  notSent: number;
  bounced: number;
  complained: number;
}

export function editionProgress(edition: EditionRecord) {
  return {
    id: edition.id,
    status: edition.status,
    trigger: edition.trigger,
    window: { start: edition.windowStart, end: edition.windowEnd },
    reports: edition.reportIds.length,
    ...(edition.recipients === undefined ? {} : { recipients: edition.recipients }),
    queued: edition.queued,
    sent: edition.sent,
    failed: edition.failed,
    suppressed: edition.suppressed,
    notSent: edition.notSent,
    bounced: edition.bounced,
    complained: edition.complained,
    createdAt: edition.createdAt,
    updatedAt: edition.updatedAt,
    ...(edition.completedAt ? { completedAt: edition.completedAt } : {}),
    ...(edition.reason ? { reason: edition.reason } : {}),
  };
}

/* ---------- Windows ---------- */

/** The very first edition reaches back this far: a new publication's digest should not mail its whole archive. */
export const FIRST_WINDOW_DAYS = 7;
/** More than this would make a mail nobody reads to the end (and an MJML compile measured in seconds). */
export const MAX_EDITION_REPORTS = 30;

export interface EditionWindow {
  start: string;
  end: string;
}

/**
 * The next edition covers [last edition's end, end). Windows chain: each starts where the previous one ended,
 * so no report is mailed twice and none falls between two editions.
 */
export function nextWindow(lastEnd: string | undefined, end: Date): EditionWindow {
  const endIso = end.toISOString();
  const start = lastEnd ?? new Date(end.getTime() - FIRST_WINDOW_DAYS * 86_400_000).toISOString();
  return { start: start < endIso ? start : endIso, end: endIso };
}

export function isEmptyWindow(window: EditionWindow): boolean {
  return window.start >= window.end;
}

export function newEdition(input: {
  id: string;
  trigger: EditionRecord['trigger'];
  window: EditionWindow;
  reportIds: string[];
  now: Date;
}): EditionRecord {
  const at = input.now.toISOString();
  return {
    id: input.id,
    status: 'planning',
    trigger: input.trigger,
    windowStart: input.window.start,
    windowEnd: input.window.end,
    reportIds: input.reportIds,
    createdAt: at,
    updatedAt: at,
    planPage: 0,
    queued: 0,
    sent: 0,
    failed: 0,
    suppressed: 0,
    notSent: 0,
    bounced: 0,
    complained: 0,
  };
}

/** The reports of one tier's edition: public views for free readers, full views (with the vault part) for paid. */
export function editionViews(
  records: readonly ReportRecord[],
  paidParts: ReadonlyMap<string, PaidPart>,
  tier: DigestTier,
  publication: Publication,
): ReportView[] {
  return records.map((record) =>
    tier === 'free'
      ? publicView(record, publication)
      : paidView(record, record.paidRef ? paidParts.get(record.paidRef) : undefined, publication),
  );
}

/* ---------- Completion and pausing ---------- */

export function processed(edition: EditionRecord): number {
  return edition.sent + edition.failed + edition.suppressed + edition.notSent;
}

/** Every planned recipient has an outcome: the edition is over. */
export function isComplete(edition: EditionRecord): boolean {
  return edition.status === 'sending' && edition.recipients !== undefined && processed(edition) >= edition.recipients;
}

export function finalStatus(edition: EditionRecord): 'sent' | 'failed' {
  return edition.sent === 0 && edition.failed > 0 ? 'failed' : 'sent';
}

/**
 * Pausing: SES reviews accounts above 5 % bounces or 0.1 % complaints, so an edition crossing either stops.
 * Rates are of mails sent so far, judged only from 200 sent mails on (a handful of early bounces in a small
 * list says little), and a single complaint never pauses on its own.
 */
export const PAUSE_RULES = { bounceRate: 0.05, complaintRate: 0.001, minSample: 200, minComplaints: 2 } as const;

export function pauseReason(edition: Pick<EditionRecord, 'sent' | 'bounced' | 'complained'>): string | undefined {
  if (edition.sent < PAUSE_RULES.minSample) return undefined;
  const bounceRate = edition.bounced / edition.sent;
  const complaintRate = edition.complained / edition.sent;
  if (bounceRate > PAUSE_RULES.bounceRate) {
    return `bounce rate ${(bounceRate * 100).toFixed(1)} % (${edition.bounced} of ${edition.sent}) is above 5 %`;
  }
  if (edition.complained >= PAUSE_RULES.minComplaints && complaintRate > PAUSE_RULES.complaintRate) {
    return `complaint rate ${(complaintRate * 100).toFixed(2)} % (${edition.complained} of ${edition.sent}) is above 0.1 %`;
  }
  return undefined;
}

export function canSend(status: EditionStatus): boolean {
  return status === 'planning' || status === 'sending';
}

/* ---------- Deliveries ---------- */

export const DELIVERY_STATUSES = ['sending', 'sent', 'failed', 'suppressed', 'not-sent'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRecord {
  status: DeliveryStatus;
  /** Random per attempt: only the attempt that claimed a delivery may finish or release it. */
  claimId: string;
  claimedAt: string;
  messageId?: string;
  reason?: string;
}

/**
 * How long a `sending` claim is trusted. The sender times out after 30 s, so a claim older than twice that
 * belongs to an invocation that died, perhaps after SES accepted the message.
 */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * What to do when a recipient's delivery record already exists. A dead claim is the ambiguous case (sent or
 * not?); we choose never to mail twice, so it is recorded as failed with an unknown outcome.
 */
export function existingDeliveryAction(
  delivery: DeliveryRecord,
  now: Date,
  leaseMs = DELIVERY_LEASE_MS,
): 'skip' | 'wait' | 'give-up' {
  if (delivery.status !== 'sending') return 'skip';
  return now.getTime() - Date.parse(delivery.claimedAt) < leaseMs ? 'wait' : 'give-up';
}

/** Delivery records are keyed by a hash of the address: stable across retries, no address in the key. */
export function deliveryKey(email: string): string {
  return createHash('sha256').update(email, 'utf8').digest('base64url').slice(0, 32);
}

/* ---------- Queue messages ---------- */

/** Ten per message keeps an SQS batch of ten within one sender invocation at ~7 mails/s per instance. */
export const RECIPIENTS_PER_MESSAGE = 10;
/** Subscribers read per planning step; one conditional progress write per page. */
export const PLAN_PAGE_SIZE = 500;

export const planMessageSchema = z.union([
  z.object({ trigger: z.literal('schedule'), scheduledTime: z.iso.datetime({ offset: true }) }),
  z.object({ editionId: z.string().min(1) }),
]);
export type PlanMessage = z.infer<typeof planMessageSchema>;

export const mailMessageSchema = z.object({
  editionId: z.string().min(1),
  emails: z.array(z.string().min(3)).min(1).max(100),
});
export type MailMessage = z.infer<typeof mailMessageSchema>;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let offset = 0; offset < items.length; offset += size) chunks.push(items.slice(offset, offset + size));
  return chunks;
}

/* ---------- Reconciliation ---------- */

/**
 * Counters are one ADD per queue message, made after that message's delivery records, and DynamoDB (dynalite
 * locally) gives no transaction across the two items: a sender that dies in between leaves them short, and
 * the edition would say `sending` forever. Once counters have not moved for this long, the delivery records,
 * which are the truth, are tallied again.
 */
export const RECONCILE_AFTER_MS = 2 * 60_000;
/** Past every retry and the dead-letter redrive: recipients still without a record will not get one. */
export const GIVE_UP_AFTER_MS = 15 * 60_000;

export function needsReconciliation(edition: EditionRecord, now: Date): boolean {
  return (
    edition.status === 'sending' &&
    edition.recipients !== undefined &&
    processed(edition) < edition.recipients &&
    now.getTime() - Date.parse(edition.updatedAt) >= RECONCILE_AFTER_MS
  );
}

export type DeliveryTally = Pick<EditionRecord, 'sent' | 'failed' | 'suppressed' | 'notSent'>;

/** A claim older than its lease whose send never reported back counts as failed: it is never retried. */
export function tallyDeliveries(
  records: readonly Pick<DeliveryRecord, 'status' | 'claimedAt'>[],
  now: Date,
): DeliveryTally {
  const tally: DeliveryTally = { sent: 0, failed: 0, suppressed: 0, notSent: 0 };
  for (const record of records) {
    if (record.status === 'sent') tally.sent += 1;
    else if (record.status === 'suppressed') tally.suppressed += 1;
    else if (record.status === 'not-sent') tally.notSent += 1;
    else if (record.status === 'failed') tally.failed += 1;
    else if (now.getTime() - Date.parse(record.claimedAt) > DELIVERY_LEASE_MS) tally.failed += 1;
  }
  return tally;
}

/** The edition after a tally: finished when every recipient has an outcome, or when waiting longer is pointless. */
export function reconciledStatus(
  edition: EditionRecord,
  tally: DeliveryTally,
  now: Date,
): { status: EditionStatus; reason?: string } {
  const recipients = edition.recipients ?? 0;
  const accounted = tally.sent + tally.failed + tally.suppressed + tally.notSent;
  const final = tally.sent === 0 && tally.failed > 0 ? 'failed' : 'sent';
  if (accounted >= recipients) return { status: final };
  if (now.getTime() - Date.parse(edition.updatedAt) >= GIVE_UP_AFTER_MS) {
    return {
      status: final,
      reason: `${recipients - accounted} recipient(s) have no delivery record; see the mail dead-letter queue`,
    };
  }
  return { status: 'sending' };
}
