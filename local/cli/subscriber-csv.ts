import { z } from 'zod';
import { READER_TIERS, type ReaderTier } from '../../lambdas/core/shared/reader-tier';
import { isSeriesId } from '../../lambdas/core/subscribers/series-preferences';
import { parseCsv } from './csv';
import { UsageError } from './errors';

/**
 * Statuses an admin import may set. `pending` is left out on purpose: imports skip opt-in (brief §4), and
 * `unsubscribed` lets a list carry its suppressions over so nobody who left is mailed again.
 */
export const IMPORT_STATUSES = ['active', 'unsubscribed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
const COLUMNS = ['email', 'tier', 'status', 'series'] as const;
/** Between the ids of the `series` column (a comma would need quoting in every spreadsheet). */
export const SERIES_SEPARATOR = ';';

export interface SubscriberRow {
  line: number;
  email: string;
  tier: ReaderTier;
  status: ImportStatus;
  /**
   * Only with a `series` column: the series ids of the cell, or null for an empty cell (every series, later ones
   * too). Without the column the row leaves a reader's series as they are.
   */
  series?: string[] | null;
}

export interface RejectedRow {
  line: number;
  /** What identifies the row to a person: the email cell, or the start of the raw fields. */
  value: string;
  reason: string;
}

export interface SubscriberCsv {
  rows: SubscriberRow[];
  rejected: RejectedRow[];
}

const emailSchema = z.email();

export function isEmail(value: string): boolean {
  return emailSchema.safeParse(value).success;
}

export interface SubscriberCsvOptions {
  /**
   * The configured series ids, when the reader knows them (the console has them compiled in): a row naming another
   * is rejected here. Without them only the shape of an id is checked, and the API refuses unknown ones per row.
   */
  knownSeries?: readonly string[];
}

/**
 * Reads a subscriber list: a header naming `email` and optionally `tier` (free|paid, default free), `status`
 * (active|unsubscribed, default active) and `series` (ids separated by `;`; empty: every series). Problems with
 * one row reject that row; problems with the header mean the file cannot be read as intended and throw, because
 * guessing there could hand paid access to the wrong people.
 */
export function readSubscriberCsv(text: string, options: SubscriberCsvOptions = {}): SubscriberCsv {
  const records = parseCsv(text).filter((record) => record.error || record.fields.some((field) => field.trim() !== ''));
  const header = records[0];
  if (!header) throw new UsageError('the file is empty: expected a header row such as `email,tier`');
  if (header.error) throw new UsageError(`line ${header.line}: ${header.error}`);

  const names = header.fields.map((field) => field.trim().toLowerCase());
  const emailColumn = names.indexOf('email');
  if (emailColumn < 0) {
    const looksLikeData = header.fields.some((field) => isEmail(field.trim()));
    throw new UsageError(
      looksLikeData
        ? `line ${header.line} looks like data: add a header row first, e.g. \`email,tier\``
        : `line ${header.line}: the header has no \`email\` column (found: ${header.fields.join(', ')})`,
    );
  }
  // A misspelt `tier` column would silently import everyone as free, so unknown columns are refused.
  const unknown = names.filter((name) => !(COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `line ${header.line}: unknown column(s) ${unknown.join(', ')}; allowed: ${COLUMNS.join(', ')}`,
    );
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new UsageError(`line ${header.line}: column \`${duplicate}\` appears twice`);
  const tierColumn = names.indexOf('tier');
  const statusColumn = names.indexOf('status');
  const seriesColumn = names.indexOf('series');

  const rows: SubscriberRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Map<string, number>();
  for (const record of records.slice(1)) {
    const value = (record.fields[emailColumn] ?? record.fields.join(',')).trim().slice(0, 80);
    const reject = (reason: string): void => {
      rejected.push({ line: record.line, value, reason });
    };
    if (record.error) {
      reject(record.error);
      continue;
    }
    if (record.fields.length !== names.length) {
      reject(`expected ${names.length} field(s), found ${record.fields.length}`);
      continue;
    }
    const email = (record.fields[emailColumn] ?? '').trim();
    if (!isEmail(email)) {
      reject(email ? 'not a valid email address' : 'email is empty');
      continue;
    }
    const tier = cell(record.fields, tierColumn) || 'free';
    if (!isOneOf(READER_TIERS, tier)) {
      reject(`tier must be one of: ${READER_TIERS.join(', ')} (found "${tier}")`);
      continue;
    }
    const status = cell(record.fields, statusColumn) || 'active';
    if (!isOneOf(IMPORT_STATUSES, status)) {
      reject(`status must be one of: ${IMPORT_STATUSES.join(', ')} (found "${status}")`);
      continue;
    }
    const series = seriesColumn < 0 ? undefined : seriesCell(cell(record.fields, seriesColumn), options.knownSeries);
    if (typeof series === 'string') {
      reject(series);
      continue;
    }
    const key = email.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      reject(`duplicate of line ${first}`);
      continue;
    }
    seen.set(key, record.line);
    rows.push({ line: record.line, email, tier, status, ...(series === undefined ? {} : { series }) });
  }
  return { rows, rejected };
}

/** The ids of a `series` cell, null for an empty one (every series), or why the cell is refused. */
function seriesCell(value: string, known: readonly string[] | undefined): string[] | null | string {
  if (value === '') return null;
  const ids = value.split(SERIES_SEPARATOR).map((id) => id.trim());
  const malformed = ids.find((id) => !isSeriesId(id));
  if (malformed !== undefined) {
    return malformed === ''
      ? `series: an empty id in "${value}"; separate ids with ${SERIES_SEPARATOR}, or leave the cell empty for every series`
      : `series: "${malformed}" is not a series id (lowercase letters, digits and dashes; ids separated by ${SERIES_SEPARATOR})`;
  }
  const unknown = known === undefined ? [] : ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    return `series: unknown series ${unknown.map((id) => `"${id}"`).join(', ')}; configured: ${(known ?? []).join(', ')}`;
  }
  return [...new Set(ids)];
}

function cell(fields: readonly string[], column: number): string {
  return column < 0 ? '' : (fields[column] ?? '').trim().toLowerCase();
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}
