import { Feed } from 'feed';
import type { FeedOptions as FeedLibraryOptions, Item } from 'feed';
import { escapeHtml, renderTemplate } from '../../../templates/render';
import {
  feedDatelineBlock,
  feedSubscriberNoticeBlock,
  offeringBannerBlock,
  seriesBlock,
} from '../../../templates/report-blocks';
import { shownDateline } from '../shared/datelines';
import type { Publication } from '../shared/publication';
import { sanitizeStrings, stripXmlIllegal } from '../shared/text-safety';
import type { ReportView } from '../paywall/tiers';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE } from '../paywall/tiers';
import { tagSlug } from '../reports/tags';

export { tagSlug };

/**
 * Public, tag and private feeds in RSS 2.0, Atom 1.0 and JSON Feed 1.1 (brief §3, §4). Pure: the caller passes
 * the views this audience may read (already filtered and cut by tiers.ts) and the clock.
 *
 * RSS and Atom come from the `feed` package, which gets the document structure right but its escaping wrong in
 * several places (only `&` in attributes, only the first `]]>` in CDATA, `&amp;` in text silently decoded, HTML
 * typed titles left unescaped). Rather than patch each path, feed only ever sees opaque tokens for free text
 * (see {@link Slots}) and real URLs, which it runs through `new URL()`: WHATWG serialisation never emits `<`,
 * `>` or `"`, and feed escapes the `&`. The JSON Feed is built here because feed 6 writes version 1.
 *
 * Items are dated and ordered by go-live (RSS `pubDate`, Atom `published`, JSON `date_published`): readers sort
 * by that date, and a report dated years back but published today is news. Its dateline opens the item instead.
 */

export const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
export type FeedFile = (typeof FEED_FILES)[number];

export const feedContentTypes: Readonly<Record<FeedFile, string>> = {
  'rss.xml': 'application/rss+xml; charset=utf-8',
  'atom.xml': 'application/atom+xml; charset=utf-8',
  'feed.json': 'application/feed+json; charset=utf-8',
};

export interface FeedUrls {
  rss: string;
  atom: string;
  json: string;
}

export interface FeedOptions {
  publication: Publication;
  title: string;
  description: string;
  /** Absolute URL of this feed in each format; each document names its own as `self`. */
  selfUrls: FeedUrls;
  /** The page the feed belongs to. @default `${publication.siteUrl}/` */
  homePageUrl?: string;
  /** The feed's last-modified time; passed in so renders are reproducible. */
  updated: Date;
  /** Where preview items send readers. @default publication.subscribeUrl */
  subscribeUrl?: string;
}

export interface RenderedFeeds {
  rss: string;
  atom: string;
  json: string;
}

export class FeedRenderError extends Error {
  override readonly name = 'FeedRenderError';
}

export function mainFeedUrls(publication: Publication): FeedUrls {
  return feedUrlsUnder(`${publication.siteUrl}/feeds`);
}

export function tagFeedUrls(publication: Publication, tag: string): FeedUrls {
  return feedUrlsUnder(`${publication.siteUrl}/feeds/tags/${tagSlug(tag)}`);
}

function feedUrlsUnder(base: string): FeedUrls {
  return { rss: `${base}/rss.xml`, atom: `${base}/atom.xml`, json: `${base}/feed.json` };
}

/** Ids are built from the report id alone: titles and slugs may change in a correction, ids never do. */
export function feedItemId(reportId: string): string {
  return `urn:dispatch:report:${encodeURIComponent(reportId)}`;
}

export function renderFeeds(views: readonly ReportView[], options: FeedOptions): RenderedFeeds {
  const clean = orderForFeed(views, options.publication.feedLength).map(cleanView);
  const context: FeedContext = {
    title: stripXmlIllegal(options.title),
    description: stripXmlIllegal(options.description),
    publicationName: stripXmlIllegal(options.publication.name),
    siteUrl: `${options.publication.siteUrl}/`,
    homePageUrl: stripXmlIllegal(options.homePageUrl ?? `${options.publication.siteUrl}/`),
    selfUrls: sanitizeStrings(options.selfUrls),
    updated: options.updated,
    tagBase: `${options.publication.siteUrl}/feeds/tags`,
  };
  const subscribeUrl = options.subscribeUrl ?? options.publication.subscribeUrl;
  const items = clean.map((view) => ({ view, contentHtml: itemContentHtml(view, subscribeUrl) }));
  return { rss: renderRss(items, context), atom: renderAtom(items, context), json: renderJsonFeed(items, context) };
}

/**
 * Everything a reader gets in the item body: the dateline when it is not the go-live day, banner, the body this
 * audience may read, notice, series block.
 */
export function itemContentHtml(view: ReportView, subscribeUrl: string): string {
  const day = (iso: string) => parseDate(iso).toISOString().slice(0, 10);
  const dateline =
    day(view.dateline) === day(view.publishAt) ? '' : renderTemplate(feedDatelineBlock, shownDateline(view.dateline));
  const banner = view.complimentaryOffering
    ? renderTemplate(offeringBannerBlock, { notice: COMPLIMENTARY_OFFERING_NOTICE, seriesName: view.series.name })
    : '';
  const notice =
    view.access === 'preview'
      ? renderTemplate(feedSubscriberNoticeBlock, { notice: SUBSCRIBER_NOTICE, subscribeUrl, reportUrl: view.url })
      : '';
  const series = renderTemplate(seriesBlock, {
    name: view.series.name,
    blurb: view.series.blurb,
    link: view.series.link,
  });
  return [dateline, banner, view.bodyHtml, notice, series].filter((part) => part !== '').join('\n');
}

interface FeedContext {
  title: string;
  description: string;
  publicationName: string;
  siteUrl: string;
  homePageUrl: string;
  selfUrls: FeedUrls;
  updated: Date;
  tagBase: string;
}

interface FeedEntry {
  view: ReportView;
  contentHtml: string;
}

function orderForFeed(views: readonly ReportView[], limit: number): ReportView[] {
  return [...views]
    .sort((a, b) => parseDate(b.publishAt).getTime() - parseDate(a.publishAt).getTime() || compare(b.id, a.id))
    .slice(0, limit);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cleanView(view: ReportView): ReportView {
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

function parseDate(iso: string): Date {
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

function leadImageEnclosure(view: ReportView): { url: string; type: string } | undefined {
  if (!view.leadImage) return undefined;
  const type = imageMimeType(view.leadImage.url);
  return type === undefined ? undefined : { url: view.leadImage.url, type };
}

/** Only what each format writes goes through a slot, because every slot must come back (see {@link Slots}). */
function rssOptions(context: FeedContext, slots: Slots): FeedLibraryOptions {
  return {
    title: slots.text(context.title),
    description: slots.text(context.description),
    link: context.homePageUrl,
    language: 'en',
    updated: context.updated,
    generator: 'Dispatch',
    feedLinks: { rss: context.selfUrls.rss },
  };
}

function atomOptions(context: FeedContext, slots: Slots): FeedLibraryOptions {
  return {
    id: slots.text(context.selfUrls.atom),
    title: slots.text(context.title),
    description: slots.text(context.description),
    link: context.homePageUrl,
    updated: context.updated,
    generator: 'Dispatch',
    feedLinks: { atom: context.selfUrls.atom },
    // Atom requires an author on the feed when an entry has none; reports may have no named authors.
    author: { name: slots.text(context.publicationName), link: context.siteUrl },
  };
}

function renderRss(entries: readonly FeedEntry[], context: FeedContext): string {
  const slots = new Slots();
  const feed = new Feed(rssOptions(context, slots));
  for (const { view, contentHtml } of entries) {
    const enclosure = leadImageEnclosure(view);
    const item: Item = {
      title: slots.text(view.title),
      id: feedItemId(view.id),
      link: view.url,
      date: parseDate(view.updatedAt),
      published: parseDate(view.publishAt),
      // RSS readers treat description as HTML, so the plain-text summary is escaped once for them.
      description: slots.text(escapeHtml(view.summary)),
      content: slots.text(contentHtml),
      category: view.tags.map((tag) => ({ name: slots.text(tag), domain: slots.text(tagFeedUrl(context, tag)) })),
      ...(enclosure ? { enclosure: { url: enclosure.url, type: enclosure.type, length: 0 } } : {}),
      ...(view.authors.length > 0
        ? { extensions: [{ name: 'dc:creator', objects: { _text: slots.text(view.authors.join(', ')) } }] }
        : {}),
    };
    feed.addItem(item);
  }
  return slots.fill(feed.rss2());
}

function renderAtom(entries: readonly FeedEntry[], context: FeedContext): string {
  const slots = new Slots();
  const feed = new Feed(atomOptions(context, slots));
  for (const { view, contentHtml } of entries) {
    const enclosure = leadImageEnclosure(view);
    const item: Item = {
      // feed types Atom title and summary as HTML, so plain text is escaped once for them.
      title: slots.text(escapeHtml(view.title)),
      id: feedItemId(view.id),
      link: view.url,
      date: parseDate(view.updatedAt),
      published: parseDate(view.publishAt),
      description: slots.text(escapeHtml(view.summary)),
      content: slots.text(contentHtml),
      category: view.tags.map((tag) => ({ term: slots.text(tag), scheme: `${context.tagBase}/` })),
      author: view.authors.map((name) => ({ name: slots.text(name) })),
      // feed derives an Atom enclosure's type from the extension (image/jpg, image/svg); we swap in our own link.
      ...(enclosure
        ? { enclosure: { url: enclosure.url, title: slots.element(atomEnclosureLink(enclosure, view)) } }
        : {}),
    };
    feed.addItem(item);
  }
  return slots.fill(feed.atom1());
}

function atomEnclosureLink(enclosure: { url: string; type: string }, view: ReportView): string {
  const href = new URL(enclosure.url).toString();
  const title = view.leadImage ? ` title="${escapeXml(view.leadImage.alt)}"` : '';
  return `<link rel="enclosure" type="${escapeXml(enclosure.type)}" href="${escapeXml(href)}"${title}/>`;
}

function tagFeedUrl(context: FeedContext, tag: string): string {
  return `${context.tagBase}/${tagSlug(tag)}/rss.xml`;
}

interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  summary: string;
  date_published: string;
  date_modified: string;
  tags: string[];
  image?: string;
  authors?: { name: string }[];
}

function renderJsonFeed(entries: readonly FeedEntry[], context: FeedContext): string {
  const items: JsonFeedItem[] = entries.map(({ view, contentHtml }) => ({
    id: feedItemId(view.id),
    url: view.url,
    title: view.title,
    content_html: contentHtml,
    summary: view.summary,
    date_published: parseDate(view.publishAt).toISOString(),
    date_modified: parseDate(view.updatedAt).toISOString(),
    tags: view.tags,
    ...(view.leadImage ? { image: view.leadImage.url } : {}),
    ...(view.authors.length > 0 ? { authors: view.authors.map((name) => ({ name })) } : {}),
  }));
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title: context.title,
    home_page_url: context.homePageUrl,
    feed_url: context.selfUrls.json,
    description: context.description,
    language: 'en',
    authors: [{ name: context.publicationName, url: context.siteUrl }],
    items,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

/** A CDATA section that stays one whatever the text holds: each `]]>` is split across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * Stand-ins for free text while feed builds the document, replaced in one pass afterwards by the text escaped
 * for where it landed: inside feed's CDATA wrapper (replaced whole by our own CDATA), or in text or an
 * attribute (XML-escaped). An element slot replaces the whole self-closing element whose attribute holds it.
 *
 * Tokens are delimited by U+0001 and U+0002, which XML forbids and which every input has had stripped (views
 * and options are cleaned first; URLs pass through `new URL()`, which percent-encodes controls). So no input
 * can imitate a token, nothing feed or xml-js escapes can alter one, and a token left behind would make the
 * document unparseable; we check they all came back and throw rather than publish a feed we cannot vouch for.
 */
class Slots {
  private readonly values: string[] = [];

  text(value: string): string {
    this.values.push(value);
    return `\u0001t${this.values.length - 1}\u0002`;
  }

  element(xml: string): string {
    this.values.push(xml);
    return `\u0001e${this.values.length - 1}\u0002`;
  }

  fill(xml: string): string {
    const seen = new Set<number>();
    // eslint-disable-next-line no-control-regex -- the delimiters are control characters on purpose (see above)
    const pattern = /<[^<>]*\u0001e(\d+)\u0002[^<>]*\/>|<!\[CDATA\[\u0001t(\d+)\u0002\]\]>|\u0001t(\d+)\u0002/g;
    const filled = xml.replace(
      pattern,
      (match, elementIndex: string | undefined, cdataIndex: string | undefined, textIndex: string | undefined) => {
        const index = Number(elementIndex ?? cdataIndex ?? textIndex);
        const value = this.values[index];
        if (value === undefined) throw new FeedRenderError(`Unknown feed slot in ${JSON.stringify(match)}`);
        seen.add(index);
        if (elementIndex !== undefined) return value;
        return cdataIndex !== undefined ? cdata(value) : escapeXml(value);
      },
    );
    // eslint-disable-next-line no-control-regex -- a delimiter left behind means a token was mangled
    if (seen.size !== this.values.length || /[\u0001\u0002]/.test(filled)) {
      throw new FeedRenderError('The feed package did not write every value where expected');
    }
    return filled;
  }
}
