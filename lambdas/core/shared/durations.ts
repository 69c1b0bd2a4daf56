import { ISO_DURATION_PATTERN } from '../reports/report';

/**
 * `freeAfter` resolved to an instant: an ISO 8601 duration counts from publishAt, a date means midnight UTC of
 * that day, a date-time is taken as written. Calendar units (years, months) follow the calendar, in UTC.
 */
export function resolveFreeAt(freeAfter: string, publishAt: string): string {
  const duration = ISO_DURATION_PATTERN.exec(freeAfter);
  if (!duration) return new Date(freeAfter.length === 10 ? `${freeAfter}T00:00:00Z` : freeAfter).toISOString();
  const number = (part: string | undefined): number => (part ? Number.parseInt(part, 10) : 0);
  const [, years, months, weeks, days, , hours, minutes, seconds] = duration;
  const at = new Date(publishAt);
  at.setUTCFullYear(at.getUTCFullYear() + number(years), at.getUTCMonth() + number(months));
  at.setUTCDate(at.getUTCDate() + number(weeks) * 7 + number(days));
  at.setUTCHours(
    at.getUTCHours() + number(hours),
    at.getUTCMinutes() + number(minutes),
    at.getUTCSeconds() + number(seconds),
  );
  return at.toISOString();
}
