import { escapeHtml } from '../shared/escape-html';
import type { Publication, Series } from '../shared/publication';
import { reportPageUrl } from '../shared/reader-urls';
import { findSeries } from '../shared/publication';
import { goLive, type Image, type PaidPart, type ReportRecord, type Tier } from '../reports/report';

/** Who decides what each audience sees (brief §3). Renderers receive a ReportView and never decide themselves. */
export const SUBSCRIBER_NOTICE = 'The full text of this report is available to subscribers.';
export const COMPLIMENTARY_OFFERING_NOTICE = 'This report is now a complimentary offering';

export type Visibility = 'scheduled' | 'published' | 'unpublished';

export interface ReportView {
  id: string;
  slug: string;
  /** Absolute URL of the report for this audience: its public page (a paid edition links to the member page). */
  url: string;
  title: string;
  summary: string;
  tier: Tier;
  series: Series;
  tags: string[];
  authors: string[];
  leadImage?: Image;
  /** Go-live (ISO UTC): when the report appeared. Orders feeds, the archive and editions; feed item dates. */
  publishAt: string;
  /** What readers are shown as the report's date: a plain `YYYY-MM-DD` day or ISO UTC; may be long past. */
  dateline: string;
  updatedAt: string;
  revision: number;
  /** Safe HTML this audience may read. */
  bodyHtml: string;
  /** `preview`: bodyHtml is the public part only; renderers add the subscriber notice and subscribe link. */
  access: 'full' | 'preview';
  /** A subscriber report that became complimentary after freeAfter; renderers show the offering banner. */
  complimentaryOffering: boolean;
}

/**
 * Text every reader sees around any report: the publication's name and footer, the series names and blurbs,
 * the notices. A paid part that repeats it (an editor pasting the programme blurb) keeps no secret there, so
 * intake leaves it out of the fingerprints and the leak guard never counts it.
 */
export function publicBoilerplate(publication: Publication): string {
  return [
    publication.name,
    publication.footerText,
    ...publication.series.flatMap((series) => [series.name, series.blurb]),
    SUBSCRIBER_NOTICE,
    COMPLIMENTARY_OFFERING_NOTICE,
    'Source available to subscribers.',
  ].join('\n\n');
}

export function visibility(record: ReportRecord, now: Date): Visibility {
  if (record.state === 'unpublished') return 'unpublished';
  return Date.parse(record.publishAt) > now.getTime() ? 'scheduled' : 'published';
}

export function isFullyPublic(record: ReportRecord): boolean {
  return record.tier === 'complimentary' || record.released;
}

function baseView(record: ReportRecord, publication: Publication): Omit<ReportView, 'bodyHtml' | 'access'> {
  const series = findSeries(publication, record.series);
  if (!series) throw new Error(`Report ${record.id} names series ${record.series}, which is not configured`);
  return {
    id: record.id,
    slug: record.slug,
    url: reportPageUrl(publication, record.slug),
    title: record.title,
    summary: record.summary,
    tier: record.tier,
    series,
    tags: record.tags,
    authors: record.authors,
    ...(record.leadImage ? { leadImage: record.leadImage } : {}),
    publishAt: goLive(record),
    dateline: record.dateline ?? record.publishAt,
    updatedAt: record.updatedAt,
    revision: record.revision,
    complimentaryOffering: record.tier === 'subscriber' && record.released,
  };
}

/** What the public, RSS readers and free subscribers may read. Built from the table item alone: no vault. */
export function publicView(record: ReportRecord, publication: Publication): ReportView {
  return {
    ...baseView(record, publication),
    bodyHtml: record.publicHtml,
    access: isFullyPublic(record) ? 'full' : 'preview',
  };
}

/**
 * What the leak scan puts in place of an item that carried subscriber-only text: the title and summary (always
 * public), and for a subscriber report the notice and subscribe link. A complimentary item keeps its place with
 * a pointer to its page instead of a body.
 */
export function stubView(view: ReportView): ReportView {
  if (view.tier === 'subscriber' && !view.complimentaryOffering) return { ...view, bodyHtml: '', access: 'preview' };
  const href = escapeHtml(view.url);
  return { ...view, bodyHtml: `<p>Read this report on its page: <a href="${href}">${href}</a></p>` };
}

/** What a paid subscriber (or an editor) reads: the whole report from the vault. */
export function paidView(record: ReportRecord, paid: PaidPart | undefined, publication: Publication): ReportView {
  if (isFullyPublic(record)) return publicView(record, publication);
  if (!paid) throw new Error(`Report ${record.id} is subscriber-only but its paid part was not supplied`);
  return { ...baseView(record, publication), bodyHtml: paid.fullHtml, access: 'full' };
}

/** The paid parts a set of reports needs for full-text readers, fetched once per part, keyed by vault ref. */
export async function loadPaidParts(
  records: readonly ReportRecord[],
  load: (ref: string) => Promise<PaidPart>,
): Promise<Map<string, PaidPart>> {
  const refs = [
    ...new Set(records.filter((record) => !isFullyPublic(record)).flatMap((record) => record.paidRef ?? [])),
  ];
  const parts = await Promise.all(refs.map(async (ref) => [ref, await load(ref)] as const));
  return new Map(parts);
}
