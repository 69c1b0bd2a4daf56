import type { PaidPart, ReportRecord } from './report';
import { visibility } from './tiers';

/**
 * Time in a report's life: when it is listed publicly and which transition (publication, release after
 * freeAfter) is due next. The table keys derived here drive the sparse indexes the feed publisher and the
 * release sweeper query, so neither ever scans.
 */
export interface IndexKeys {
  kind: 'report';
  /** `${publishAt}#${id}`: newest first when queried descending. */
  sortKey: string;
  /** 'public' while published and live; absent otherwise (sparse index). */
  listing?: 'public';
  dueKey?: 'due';
  dueAt?: string;
}

export function indexKeys(record: ReportRecord, now: Date): IndexKeys {
  const keys: IndexKeys = { kind: 'report', sortKey: `${record.publishAt}#${record.id}` };
  if (visibility(record, now) === 'published') keys.listing = 'public';
  const due = nextTransition(record, now);
  if (due) {
    keys.dueKey = 'due';
    keys.dueAt = due;
  }
  return keys;
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
