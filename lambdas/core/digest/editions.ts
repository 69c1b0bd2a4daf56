import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DigestTier } from './digest';
import type { Publication } from '../shared/publication';
import type { PaidPart, ReportRecord } from '../reports/report';
import { listingSortKey } from '../reports/report-lifecycle';
import { paidView, publicView, type ReportView } from '../paywall/tiers';

/**
 * Editions of the digest: their windows, their progress counters and the rules that end or pause them. Pure;
 * the planner and sender apply these decisions through their ports.
 */
export const EDITION_STATUSES = ['planning', 'sending', 'paused', 'cancelled', 'sent', 'sent-with-gaps'] as const;
export type EditionStatus = (typeof EDITION_STATUSES)[number];
/** States an edition never leaves on its own (retry-unknown can take `sent-with-gaps` back to `sending`). */
export const FINAL_EDITION_STATUSES: readonly EditionStatus[] = ['cancelled', 'sent', 'sent-with-gaps'];
/** States in which mail may still go out. */
export const ACTIVE_EDITION_STATUSES: readonly EditionStatus[] = ['planning', 'sending'];

export const EDITION_COUNTERS = [
  'queued',
  'sent',
  'failed',
  'suppressed',
  'unknown',
  'notSent',
  'bounced',
  'complained',
] as const;
export type EditionCounter = (typeof EDITION_COUNTERS)[number];

export interface EditionRecord {
  id: string;
  status: EditionStatus;
  trigger: 'manual' | 'schedule';
  /**
   * Reports whose listing key (`${go-live}#${id}`) lies in [windowStart, windowEnd) belong to this edition. Each
   * bound is an ISO UTC instant or, where an edition stopped at its cap, a key just after its last report
   * ({@link EditionWindow}).
   */
  windowStart: string;
  windowEnd: string;
  /** The reports this edition mails, oldest go-live first: the window's reports except `mail: false` ones. */
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
  /** Why the edition is in its state, for the operator: every state but `sent` has one. */
  reason?: string;
  /** Bumped by each resume: the compiled documents of this version are the ones to send. */
  compileVersion?: number;
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  /** Recipients whose SES call was in flight at a crash: maybe sent, never sent again unless an editor asks. */
  unknown?: number;
  /** Recipients never mailed because the edition was cancelled before their turn. */
  notSent: number;
  bounced: number;
  complained: number;
}

/** The one status write every edition workflow (planner, sender, control) makes; the digests store implements it. */
export interface EditionStatusWriter {
  /** Moves the edition to `to` if it is in one of `from`; undefined when it was not. */
  setStatus(
    id: string,
    from: readonly EditionStatus[],
    to: EditionStatus,
    at: Date,
    reason?: string,
  ): Promise<EditionRecord | undefined>;
}

export function editionProgress(edition: EditionRecord) {
  return {
    id: edition.id,
    status: edition.status,
    ...(edition.reason ? { reason: edition.reason } : {}),
    trigger: edition.trigger,
    window: { start: edition.windowStart, end: edition.windowEnd },
    reports: edition.reportIds.length,
    reportIds: edition.reportIds,
    ...(edition.recipients === undefined ? {} : { recipients: edition.recipients, remaining: remaining(edition) }),
    queued: edition.queued,
    sent: edition.sent,
    failed: edition.failed,
    suppressed: edition.suppressed,
    unknown: edition.unknown ?? 0,
    notSent: edition.notSent,
    bounced: edition.bounced,
    complained: edition.complained,
    createdAt: edition.createdAt,
    updatedAt: edition.updatedAt,
    ...(edition.completedAt ? { completedAt: edition.completedAt } : {}),
  };
}

/** Recipients not yet accounted for: neither sent, failed, suppressed, unknown nor left out by a cancel. */
export function remaining(edition: EditionRecord): number {
  return Math.max(0, (edition.recipients ?? 0) - processed(edition));
}

/* ---------- Windows ---------- */

/** The very first edition reaches back this far: a new publication's digest should not mail its whole archive. */
export const FIRST_WINDOW_DAYS = 7;

/**
 * A window over listing keys, `${go-live ISO}#${ULID}`, compared as strings. A bound is either an ISO instant
 * (every key at or after it / before it) or {@link afterKey} of one report's key, where an edition stopped at
 * its cap: the next window then starts exactly with the first report that edition left out, even among reports
 * that went live at the same instant.
 */
export interface EditionWindow {
  start: string;
  end: string;
}

/** `~` sorts after every character of an ISO timestamp, `#` and a ULID (0-9, A-Z), so this is just after `key`. */
const AFTER_KEY = '~';

export function afterKey(key: string): string {
  return `${key}${AFTER_KEY}`;
}

/** The instant a window bound stands for: the go-live of the report a key bound follows. */
export function windowBoundInstant(bound: string): Date {
  return new Date(bound.split('#', 1)[0] ?? bound);
}

/**
 * An edition over `window` takes at most `cap` reports, the oldest first. `oldest` holds the window's mailable
 * reports in key order, at least `cap + 1` of them when there are that many. When some are left over, the
 * window ends just after the last one taken, so the rest open the next edition instead of being skipped;
 * `mail: false` reports before that point stay inside this window and are passed over with it.
 */
export function capWindow(
  window: EditionWindow,
  oldest: readonly ReportRecord[],
  cap: number,
): { window: EditionWindow; reports: ReportRecord[] } {
  const reports = oldest.slice(0, cap);
  const last = reports.at(-1);
  if (oldest.length <= cap || !last) return { window, reports };
  return { window: { start: window.start, end: afterKey(listingSortKey(last)) }, reports };
}

/**
 * The next edition covers [last edition's end, end). Windows chain: each starts where the previous one ended,
 * so no report is mailed twice and none falls between two editions. `lastEnd` may be a key bound; an `end` at
 * or before it makes an empty window.
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

export function processed(edition: Pick<EditionRecord, 'sent' | 'failed' | 'suppressed' | 'notSent' | 'unknown'>) {
  return edition.sent + edition.failed + edition.suppressed + edition.notSent + (edition.unknown ?? 0);
}

/** Every planned recipient has an outcome: the edition is over. */
export function isComplete(edition: EditionRecord): boolean {
  return edition.status === 'sending' && edition.recipients !== undefined && processed(edition) >= edition.recipients;
}

/**
 * How a finished edition ends, with the reason an operator needs: `sent` only when every reader got the mail
 * or was deliberately left out (suppressed); anything else is `sent-with-gaps`, named.
 */
export function finalStatus(edition: Pick<EditionRecord, 'sent' | 'failed' | 'suppressed' | 'notSent' | 'unknown'>): {
  status: 'sent' | 'sent-with-gaps';
  reason?: string;
} {
  const gaps = [
    edition.failed > 0 ? `${edition.failed} failed` : '',
    (edition.unknown ?? 0) > 0
      ? `${edition.unknown} unknown (SES call in flight at a crash; see deliveries?outcome=unknown)`
      : '',
    edition.notSent > 0 ? `${edition.notSent} not sent` : '',
  ].filter(Boolean);
  return gaps.length === 0 ? { status: 'sent' } : { status: 'sent-with-gaps', reason: gaps.join(', ') };
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
  return ACTIVE_EDITION_STATUSES.includes(status);
}

/* ---------- Deliveries ---------- */

/**
 * `sending`: claimed, the SES call is about to start or in flight. `unknown`: a claim whose attempt died with the
 * call in flight. `deferred`: the edition was paused at this reader's turn; resume sends it. `not-sent`: cancelled.
 */
export const DELIVERY_STATUSES = [
  'sending',
  'sent',
  'failed',
  'suppressed',
  'unknown',
  'deferred',
  'not-sent',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Outcomes an admin can list (`GET /api/digests/{id}/deliveries?outcome=`). */
export const DELIVERY_OUTCOMES = DELIVERY_STATUSES;

export interface DeliveryRecord {
  status: DeliveryStatus;
  /** The reader's address, so unknown and deferred deliveries can be listed and sent again. */
  email?: string;
  /** Random per attempt: only the attempt that claimed a delivery may finish or release it. */
  claimId: string;
  claimedAt: string;
  messageId?: string;
  reason?: string;
}

/**
 * How long a `sending` claim is trusted. The sender times out after 30 s, so a claim older than twice that
 * belongs to an invocation that died between its claim and its record: the SES call may or may not have run.
 */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * What to do when a recipient's delivery record already exists. A dead claim is the ambiguous case (sent or
 * not?): the claim is only ever taken right before the SES call, so its attempt died with the call in flight; we
 * choose never to mail twice, so it is recorded as `unknown` and listed for the editor. A deferred record of an
 * edition that is sending again is taken back.
 */
export function existingDeliveryAction(
  delivery: DeliveryRecord,
  now: Date,
  leaseMs = DELIVERY_LEASE_MS,
): 'skip' | 'wait' | 'give-up' | 'retake' {
  if (delivery.status === 'deferred') return 'retake';
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
  z.object({ editionId: z.string().min(1), retryUnknown: z.literal(true).optional() }),
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

export type DeliveryTally = Pick<EditionRecord, 'sent' | 'failed' | 'suppressed' | 'notSent'> & { unknown: number };

/** A claim older than its lease whose send never reported back counts as unknown: it is never retried by itself. */
export function tallyDeliveries(
  records: readonly Pick<DeliveryRecord, 'status' | 'claimedAt'>[],
  now: Date,
): DeliveryTally {
  const tally: DeliveryTally = { sent: 0, failed: 0, suppressed: 0, notSent: 0, unknown: 0 };
  for (const record of records) {
    if (record.status === 'sent') tally.sent += 1;
    else if (record.status === 'suppressed') tally.suppressed += 1;
    else if (record.status === 'not-sent') tally.notSent += 1;
    else if (record.status === 'failed') tally.failed += 1;
    else if (record.status === 'unknown') tally.unknown += 1;
    else if (record.status === 'sending' && now.getTime() - Date.parse(record.claimedAt) > DELIVERY_LEASE_MS)
      tally.unknown += 1;
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
  const accounted = processed(tally);
  if (accounted >= recipients) return finalStatus(tally);
  if (now.getTime() - Date.parse(edition.updatedAt) >= GIVE_UP_AFTER_MS) {
    const known = finalStatus(tally).reason;
    const gap = `${recipients - accounted} recipient(s) have no delivery record; see the mail dead-letter queue`;
    return { status: 'sent-with-gaps', reason: known ? `${known}, ${gap}` : gap };
  }
  return { status: 'sending' };
}
