import type { ReportRecord } from '../reports/report';
import { listingSortKey } from '../reports/report-lifecycle';

/**
 * Which reports an edition covers: windows over listing keys that chain from one edition to the next, so no
 * report is mailed twice and none falls between two editions.
 */

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
