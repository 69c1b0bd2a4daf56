import { goLive, type PaidPart, type ReportRecord } from './report';
import { visibility } from '../paywall/tiers';

/**
 * Time in a report's life: when it is listed publicly and which transition (publication, release after
 * freeAfter) is due next. The table keys derived here drive the sparse indexes the feed publisher and the
 * release sweeper query, so neither ever scans.
 */
export interface IndexKeys {
  kind: 'report';
  /** {@link listingSortKey}: newest first when queried descending, and the key digest windows are cut on. */
  sortKey: string;
  /** 'public' while published and live; absent otherwise (sparse index). */
  listing?: 'public';
  dueKey?: 'due';
  dueAt?: string;
}

export function indexKeys(record: ReportRecord, now: Date): IndexKeys {
  const keys: IndexKeys = { kind: 'report', sortKey: listingSortKey(record) };
  if (visibility(record, now) === 'published') keys.listing = 'public';
  const due = nextTransition(record, now);
  if (due) {
    keys.dueKey = 'due';
    keys.dueAt = due;
  }
  return keys;
}

/**
 * `${go-live}#${id}`: ISO timestamps of one length then a ULID, so keys sort by go-live and reports that go live
 * at the same instant sort by id. Feeds and digest windows read the listing index in this order.
 */
export function listingSortKey(record: Pick<ReportRecord, 'id' | 'publishAt' | 'liveAt'>): string {
  return `${goLive(record)}#${record.id}`;
}

/**
 * When a report goes live for editions and feed order (`liveAt`), at intake or on a correction. A scheduled
 * report goes live at publishAt. A publishAt already past cannot place the report in a window that may have
 * closed, so it goes live now. Once passed, it never moves: a correction (with the same publishAt, another past
 * one, or none) keeps the report where it was listed and mailed. Only a report rescheduled into the future
 * goes live again at its new publishAt.
 */
export function liveAtFor(publishAt: string, now: Date, previousLiveAt?: string): string {
  if (Date.parse(publishAt) > now.getTime()) return publishAt;
  if (previousLiveAt !== undefined && Date.parse(previousLiveAt) <= now.getTime()) return previousLiveAt;
  return now.toISOString();
}

/** The earliest future moment at which the report's public face changes, if any. */
export function nextTransition(record: ReportRecord, now: Date): string | undefined {
  if (record.state === 'unpublished') return undefined;
  const pending: string[] = [];
  if (Date.parse(record.publishAt) > now.getTime()) pending.push(record.publishAt);
  if (record.tier === 'subscriber' && !record.released && record.freeAt) pending.push(record.freeAt);
  return pending.sort()[0];
}

export function needsRelease(record: ReportRecord, now: Date): boolean {
  return (
    record.tier === 'subscriber' &&
    !record.released &&
    record.freeAt !== undefined &&
    Date.parse(record.freeAt) <= now.getTime()
  );
}

/** A subscriber report past freeAfter: its full text becomes public and there is nothing left to guard. */
export function release(record: ReportRecord, paid: PaidPart, now: Date): ReportRecord {
  return { ...record, released: true, publicHtml: paid.fullHtml, fingerprints: [], updatedAt: now.toISOString() };
}
