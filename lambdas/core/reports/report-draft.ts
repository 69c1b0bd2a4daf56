import { ulid } from 'ulid';
import { InvalidInputError, TooLargeError } from '../shared/errors';
import type { Publication } from '../shared/publication';
import { parseReportInput, prepareReport, type CutSummary } from './intake';
import type { PaidPart, ReportInput, ReportRecord } from './report';
import { slugFromTitle } from './slug';

/**
 * A report as intake would store it, built from an editor's input with nothing stored and no slug claimed: what
 * every preview (the page in reports-api, the feed items, the email block in digests-api) renders from, so a
 * preview runs exactly the validation and the cut of a create.
 */
export interface ReportDraft {
  /** The table item a create would write (id and slug are stand-ins: nothing is claimed). */
  record: ReportRecord;
  /** What the vault would hold under `record.paidRef`; subscriber reports only. */
  paid?: PaidPart;
  cut: CutSummary;
  /** HTML of the subscriber-only part on its own ('' for a report that is public in full). */
  subscriberHtml: string;
}

/** The editor's input, validated as create validates it: a 422 naming each field, or a 413 for a body too large. */
export function parseReport(raw: Record<string, unknown>, publication: Publication): ReportInput {
  const parsed = parseReportInput(raw, publication);
  if (parsed.ok) return parsed.input;
  if (parsed.problem.kind === 'too-large') {
    throw new TooLargeError(`The body is too large`, [
      { field: parsed.problem.field, message: parsed.problem.message },
    ]);
  }
  throw new InvalidInputError(parsed.problem.fields);
}

export function draftReport(raw: Record<string, unknown>, publication: Publication, now: Date): ReportDraft {
  const input = parseReport(raw, publication);
  const id = ulid(now.getTime());
  const slug = input.slug ?? slugFromTitle(input.title, id.slice(-8));
  const identity = { id, slug, revision: 1, createdAt: now.toISOString() };
  const { record, paid, cut, subscriberHtml } = prepareReport(input, identity, publication, now);
  return { record, ...(paid ? { paid } : {}), cut, subscriberHtml };
}

/** `POST /api/reports/preview`'s page part: the cut, its warnings, and the two parts as the page renders them. */
export interface PageParts extends CutSummary {
  publicHtml: string;
  subscriberHtml: string;
}

export function pageParts(draft: ReportDraft): PageParts {
  return { ...draft.cut, publicHtml: draft.record.publicHtml, subscriberHtml: draft.subscriberHtml };
}
