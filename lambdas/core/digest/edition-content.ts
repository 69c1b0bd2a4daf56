import type { Publication } from '../shared/publication';
import type { ReaderTier } from '../shared/reader-tier';
import type { PaidPart, ReportRecord } from '../reports/report';
import { isFullyPublic, paidView, publicView, type ReportView } from '../paywall/tiers';
import { memberReportUrl } from '../shared/reader-urls';

/**
 * What an edition says, once per reader tier and without any rendering library: which report goes in which
 * section, the subject and the preheader. The renderer fills the template from this; nothing here is per reader.
 */
export interface EditionContent {
  id: string;
  date: Date;
  tier: ReaderTier;
  /** Reports every reader may read in full: complimentary ones and subscriber ones released after freeAfter. */
  complimentary: ReportView[];
  /** Subscriber reports: previews (access `preview`) for free readers, full text for paid readers. */
  subscriberOnly: ReportView[];
  /** Reports the clip rule (clip-rule.ts) shortens to title, dateline, summary and a link. @default none */
  shortenedReportIds?: readonly string[];
}

export class EditionContentError extends Error {
  override readonly name = 'EditionContentError';
}

/**
 * The reports of one tier's edition: public views for free readers, full views (with the vault part) for paid. A
 * paid reader's subscriber report links to its member page, where a signed-in paid reader reads it in full (the
 * public page would show them the preview); everything else links to its public page.
 */
export function editionViews(
  records: readonly ReportRecord[],
  paidParts: ReadonlyMap<string, PaidPart>,
  tier: ReaderTier,
  publication: Publication,
): ReportView[] {
  return records.map((record) => {
    if (tier === 'free') return publicView(record, publication);
    const view = paidView(record, record.paidRef ? paidParts.get(record.paidRef) : undefined, publication);
    return isFullyPublic(record) ? view : { ...view, url: memberReportUrl(publication, record.slug) };
  });
}

export const SUBJECT_MAX_LENGTH = 110;
export const PREHEADER_MAX_LENGTH = 140;

export function isComplimentarySection(view: ReportView): boolean {
  return view.tier === 'complimentary' || view.complimentaryOffering;
}

/** Newest first, so the lead report (and the subject) is the freshest news; the id breaks ties stably. */
function newestFirst(a: ReportView, b: ReportView): number {
  return Date.parse(b.publishAt) - Date.parse(a.publishAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Splits the views the caller built for one tier (publicView for free readers, paidView for paid readers) into
 * the two sections, and checks that the caller picked the right views.
 */
export function buildEditionContent(input: {
  id: string;
  date: Date;
  tier: ReaderTier;
  views: readonly ReportView[];
}): EditionContent {
  const sorted = [...input.views].sort(newestFirst);
  const content: EditionContent = {
    id: input.id,
    date: input.date,
    tier: input.tier,
    complimentary: sorted.filter(isComplimentarySection),
    subscriberOnly: sorted.filter((view) => !isComplimentarySection(view)),
  };
  assertEditionContent(content);
  return content;
}

/**
 * The renderer never decides tiers, but it refuses an edition whose views contradict its tier: a full
 * subscriber report in a free edition would be a leak, a preview in a paid edition short-changes a paying reader.
 */
export function assertEditionContent(content: EditionContent): void {
  const all = [...content.complimentary, ...content.subscriberOnly];
  if (all.length === 0) throw new EditionContentError(`Edition ${content.id} has no reports`);
  if (new Set(all.map((view) => view.id)).size !== all.length) {
    throw new EditionContentError(`Edition ${content.id} lists a report twice`);
  }
  for (const view of content.complimentary) {
    if (!isComplimentarySection(view) || view.access !== 'full') {
      throw new EditionContentError(
        `Edition ${content.id}: report ${view.id} in the complimentary section must be a complimentary full view`,
      );
    }
  }
  const expectedAccess = content.tier === 'free' ? 'preview' : 'full';
  for (const view of content.subscriberOnly) {
    if (isComplimentarySection(view) || view.access !== expectedAccess) {
      throw new EditionContentError(
        `Edition ${content.id} (${content.tier}): report ${view.id} in the subscriber section must be a subscriber report with access ${expectedAccess}`,
      );
    }
  }
}

export function editionReports(content: EditionContent): ReportView[] {
  return [...content.complimentary, ...content.subscriberOnly].sort(newestFirst);
}

/** The newest report of the edition, whichever section it is in, so both tiers get the same subject. */
export function leadReport(content: EditionContent): ReportView {
  const lead = editionReports(content)[0];
  if (!lead) throw new EditionContentError(`Edition ${content.id} has no reports`);
  return lead;
}

/** Collapses newlines and control characters: a title must never be able to break a mail header. */
function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cuts at a word boundary when one is near, and never inside an emoji or a combining sequence. */
export function truncateText(text: string, maxLength: number): string {
  const clusters = Array.from(graphemes.segment(text), (segment) => segment.segment);
  if (clusters.length <= maxLength) return text;
  const cut = clusters.slice(0, maxLength - 1).join('');
  const lastSpace = cut.lastIndexOf(' ');
  const base = lastSpace >= cut.length * 0.6 ? cut.slice(0, lastSpace) : cut;
  return `${base.replace(/[\s,;:.\u2014-]+$/u, '')}…`;
}

/** Built from titles only: titles are public in every feed, so the subject is the same for both tiers. */
export function editionSubject(content: EditionContent, publication: Publication): string {
  const count = content.complimentary.length + content.subscriberOnly.length;
  const prefix = `${publication.name} — `;
  const more = count > 1 ? ` + ${count - 1} more` : '';
  const room = Math.max(20, SUBJECT_MAX_LENGTH - prefix.length - more.length);
  return `${prefix}${truncateText(singleLine(leadReport(content).title), room)}${more}`;
}

/** Built from summaries only (brief §3: always public), lead first, never from body text. */
export function editionPreheader(content: EditionContent): string {
  const summaries = editionReports(content).map((view) => singleLine(view.summary));
  return truncateText(summaries.join(' · '), PREHEADER_MAX_LENGTH);
}

export function formatEditionDate(date: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone }).format(
    typeof date === 'string' ? new Date(date) : date,
  );
}
