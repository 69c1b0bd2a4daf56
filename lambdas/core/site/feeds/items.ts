import {
  feedDatelineBlock,
  feedSubscriberNoticeBlock,
  offeringBannerBlock,
  seriesBlock,
} from '../../../../templates/report-blocks';
import { shownDateline } from '../../shared/datelines';
import type { Publication } from '../../shared/publication';
import { seriesPageUrl, type FeedUrls } from '../../shared/reader-urls';
import { parseTemplate, renderTemplate } from '../../shared/template-engine';
import { sanitizeStrings } from '../../shared/text-safety';
import type { ReportView } from '../../paywall/tiers';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE } from '../../paywall/tiers';

/**
 * What every feed format shares: the items in order and cleaned, their ids, their body (the same blocks a
 * reader sees on the report page), and the lead image offered as an enclosure.
 */

export class FeedRenderError extends Error {
  override readonly name = 'FeedRenderError';
}

/** The feed-level values each format writes, already stripped of characters XML forbids. */
export interface FeedContext {
  publication: Publication;
  title: string;
  description: string;
  publicationName: string;
  siteRootUrl: string;
  homePageUrl: string;
  selfUrls: FeedUrls;
  updated: Date;
}

export interface FeedEntry {
  view: ReportView;
  contentHtml: string;
}

/** Ids are built from the report id alone: titles and slugs may change in a correction, ids never do. */
export function feedItemId(reportId: string): string {
  return `urn:dispatch:report:${encodeURIComponent(reportId)}`;
}

const datelineTemplate = parseTemplate(feedDatelineBlock);
const offeringBannerTemplate = parseTemplate(offeringBannerBlock);
const subscriberNoticeTemplate = parseTemplate(feedSubscriberNoticeBlock);
const seriesTemplate = parseTemplate(seriesBlock);

/**
 * Everything a reader gets in the item body: the dateline when it is not the go-live day, banner, the body this
 * audience may read, notice, series block. The series block links to the series page (blurb, reports, the series'
 * own feeds), as on the report page, so a feed reader can follow one program from any of its items.
 */
export function itemContentHtml(view: ReportView, subscribeUrl: string, publication: Publication): string {
  const day = (iso: string) => parseDate(iso).toISOString().slice(0, 10);
  const dateline =
    day(view.dateline) === day(view.publishAt) ? '' : renderTemplate(datelineTemplate, shownDateline(view.dateline));
  const banner = view.complimentaryOffering
    ? renderTemplate(offeringBannerTemplate, { notice: COMPLIMENTARY_OFFERING_NOTICE, seriesName: view.series.name })
    : '';
  const notice =
    view.access === 'preview'
      ? renderTemplate(subscriberNoticeTemplate, { notice: SUBSCRIBER_NOTICE, subscribeUrl, reportUrl: view.url })
      : '';
  const series = renderTemplate(seriesTemplate, {
    name: view.series.name,
    blurb: view.series.blurb,
    link: seriesPageUrl(publication, view.series.id),
  });
  return [dateline, banner, view.bodyHtml, notice, series].filter((part) => part !== '').join('\n');
}

export function orderForFeed(views: readonly ReportView[], limit: number): ReportView[] {
  return [...views]
    .sort((a, b) => parseDate(b.publishAt).getTime() - parseDate(a.publishAt).getTime() || compare(b.id, a.id))
    .slice(0, limit);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function cleanView(view: ReportView): ReportView {
  // Intake strips these too; feeds strip again because one stray character makes a whole document unreadable.
  const clean = sanitizeStrings(view);
  const title = clean.title.trim();
  return {
    ...clean,
    // Intake trims whitespace, not control characters, so a title can be nothing but them; readers need one.
    title: title === '' ? clean.slug : title,
    tags: clean.tags.filter((tag) => tag.trim() !== ''),
    authors: clean.authors.filter((author) => author.trim() !== ''),
  };
}

export function parseDate(iso: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new FeedRenderError(`Not a date: ${JSON.stringify(iso)}`);
  return date;
}

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

/** The MIME type from the URL's extension; undefined when unknown, and then no enclosure is offered. */
export function imageMimeType(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : IMAGE_TYPES[extension];
}

export function leadImageEnclosure(view: ReportView): { url: string; type: string } | undefined {
  if (!view.leadImage) return undefined;
  const type = imageMimeType(view.leadImage.url);
  return type === undefined ? undefined : { url: view.leadImage.url, type };
}
