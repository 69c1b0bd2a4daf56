import type { ReportDetail, ReportInput, Tier } from './api';

/** The report form as the editor types it: plain strings, one per field. */
export interface ReportForm {
  title: string;
  summary: string;
  tier: Tier;
  series: string;
  /** Comma-separated. */
  tags: string;
  /** Comma-separated. */
  authors: string;
  /** `datetime-local` value in the browser's time zone, or empty for "now". */
  publishAt: string;
  /** A date, a date-time or an ISO duration counted from publishAt (`P30D`), or empty. */
  freeAfter: string;
  body: string;
}

export const PAYWALL_MARKER = '<!-- paywall -->';

export function emptyForm(series: string): ReportForm {
  return {
    title: '',
    summary: '',
    tier: 'subscriber',
    series,
    tags: '',
    authors: '',
    publishAt: '',
    freeAfter: '',
    body: '',
  };
}

export function formFromReport(report: ReportDetail): ReportForm {
  return {
    title: report.title,
    summary: report.summary,
    tier: report.tier,
    series: report.series,
    tags: report.tags.join(', '),
    authors: report.authors.join(', '),
    publishAt: toLocalInput(report.publishAt),
    freeAfter: report.freeAfter ?? '',
    body: report.body,
  };
}

/**
 * The JSON the report routes take. For a correction, `publishAt` is sent only when the editor changed it (the
 * API keeps the stored go-live otherwise, and a resent past date would read as a new instruction), and the lead
 * image the form does not edit is carried over (the API would drop it).
 */
export function inputFromForm(form: ReportForm, original?: ReportDetail): ReportInput {
  const publishAtChanged = original === undefined || form.publishAt !== toLocalInput(original.publishAt);
  const publishAt = form.publishAt.trim() === '' ? undefined : fromLocalInput(form.publishAt);
  const freeAfter = form.freeAfter.trim();
  return {
    title: form.title,
    summary: form.summary,
    tier: form.tier,
    series: form.series,
    tags: list(form.tags),
    authors: list(form.authors),
    body: form.body,
    ...(publishAtChanged && publishAt !== undefined ? { publishAt } : {}),
    ...(freeAfter !== '' ? { freeAfter } : {}),
    ...(original?.leadImage !== undefined ? { leadImage: original.leadImage } : {}),
  };
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const pad = (value: number): string => String(value).padStart(2, '0');

/** An ISO instant as a `datetime-local` value in the browser's zone (minutes precision). */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (the browser's zone) as an ISO instant in UTC; the input itself as-is if unparsable. */
export function fromLocalInput(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** Inserts `text` at the textarea selection, on a line of its own when it is a block (an image). */
export function insertAt(body: string, start: number, end: number, text: string): { body: string; caret: number } {
  const before = body.slice(0, start);
  const after = body.slice(end);
  const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  const trail = after === '' || after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
  const inserted = `${lead}${text}${trail}`;
  return { body: before + inserted + after, caret: before.length + lead.length + text.length };
}
