import type { EditionWindow } from './edition-windows';

/**
 * An edition of the digest as the digests table holds it: its status, its window and reports, its progress
 * counters, and the rules that read them (how far along it is, whether it is finished and how it ended). Pure;
 * the planner, sender and control apply these decisions through their ports.
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
  'noSeries',
  'bounced',
  'complained',
] as const;
export type EditionCounter = (typeof EDITION_COUNTERS)[number];

/** What started an edition: `POST /api/digests`, or the digest schedule. */
export const EDITION_TRIGGERS = ['manual', 'schedule'] as const;

export interface EditionRecord {
  id: string;
  status: EditionStatus;
  trigger: (typeof EDITION_TRIGGERS)[number];
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
  /** Combinations of series compiled and stored, as `{compile version}/{combination}` (edition-planner.ts). */
  compiledSeries?: string[];
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  /** Recipients whose SES call was in flight at a crash: maybe sent, never sent again unless an editor asks. */
  unknown?: number;
  /** Recipients never mailed because the edition was cancelled before their turn. */
  notSent: number;
  /**
   * Active readers who receive none of the edition's series: no mail, but accounted for, so the edition still
   * completes. Named for its cause rather than `skipped`, which the sender already uses for "done earlier".
   */
  noSeries?: number;
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
    noSeries: edition.noSeries ?? 0,
    bounced: edition.bounced,
    complained: edition.complained,
    createdAt: edition.createdAt,
    updatedAt: edition.updatedAt,
    ...(edition.completedAt ? { completedAt: edition.completedAt } : {}),
  };
}

/** Recipients not yet accounted for: neither sent, failed, suppressed, unknown, without series nor cancelled. */
export function remaining(edition: EditionRecord): number {
  return Math.max(0, (edition.recipients ?? 0) - processed(edition));
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

export function processed(
  edition: Pick<EditionRecord, 'sent' | 'failed' | 'suppressed' | 'notSent' | 'unknown' | 'noSeries'>,
) {
  return (
    edition.sent +
    edition.failed +
    edition.suppressed +
    edition.notSent +
    (edition.unknown ?? 0) +
    (edition.noSeries ?? 0)
  );
}

/** Every planned recipient has an outcome: the edition is over. */
export function isComplete(edition: EditionRecord): boolean {
  return edition.status === 'sending' && edition.recipients !== undefined && processed(edition) >= edition.recipients;
}

/**
 * How a finished edition ends, with the reason an operator needs: `sent` only when every reader got the mail
 * or was deliberately left out (suppressed, or no series of theirs in it); anything else is `sent-with-gaps`, named.
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

/** Whether mail of this edition may still go out: only while it is planning or sending. */
export function canSend(status: EditionStatus): boolean {
  return ACTIVE_EDITION_STATUSES.includes(status);
}
