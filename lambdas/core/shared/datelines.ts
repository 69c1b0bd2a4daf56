/**
 * Date fields as editors write them and datelines as readers see them. Every date field (`publishAt`,
 * `dateline`, `freeAfter`) takes a plain calendar day (`2023-10-30`) or a full ISO 8601 timestamp. A plain day
 * is an instant only where one is needed (go-live, freeAfter: midnight UTC); a dateline keeps it as a day, so
 * it reads the same in every time zone. No dependencies: this sits on the submit path.
 */
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isPlainDate(value: string): boolean {
  return PLAIN_DATE.test(value);
}

/** A plain date that names a real day: `2023-02-30` does not, although `Date.parse` rolls it over to March. */
export function isCalendarDay(value: string): boolean {
  const match = PLAIN_DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The instant a date field stands for, ISO UTC: a plain date is midnight UTC of that day. */
export function dateFieldInstant(value: string): string {
  return new Date(isPlainDate(value) ? `${value}T00:00:00.000Z` : value).toISOString();
}

/** How a dateline is stored: a plain date stays the day the editor wrote; a timestamp becomes ISO UTC. */
export function normaliseDateline(value: string): string {
  return isPlainDate(value) ? value : dateFieldInstant(value);
}

/**
 * The time zone a dateline is shown in: a plain date is a calendar day and shows as written wherever the reader
 * is (read as midnight UTC, it would be the day before in New York); a timestamp shows in `timeZone`.
 */
export function datelineTimeZone(dateline: string, timeZone: string): string {
  return isPlainDate(dateline) ? 'UTC' : timeZone;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** `24 November 2026`, in UTC: spelled out here so pages do not change with the runtime's ICU data or zone. */
export function humanDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCFullYear()}`;
}

/** A dateline for pages and feeds (UTC): `datetime` is the day itself for a plain date, the instant otherwise. */
export function shownDateline(dateline: string): { iso: string; human: string } {
  const instant = new Date(dateFieldInstant(dateline));
  return { iso: isPlainDate(dateline) ? dateline : instant.toISOString(), human: humanDate(instant) };
}
