import type { Publication } from '../../shared/publication';
import { siteRootUrl, type FeedUrls } from '../../shared/reader-urls';
import { sanitizeStrings, stripXmlIllegal } from '../../shared/text-safety';
import type { ReportView } from '../../paywall/tiers';
import { renderAtom } from './atom';
import { cleanView, itemContentHtml, orderForFeed, type FeedContext } from './items';
import { renderJsonFeed } from './json-feed';
import { renderRss } from './rss';

/**
 * Public, tag and private feeds in RSS 2.0, Atom 1.0 and JSON Feed 1.1 (brief §3, §4), one pure renderer per
 * format. Pure: the caller passes the views this audience may read (already filtered and cut by tiers.ts) and
 * the clock.
 *
 * RSS and Atom come from the `feed` package, which gets the document structure right but its escaping wrong in
 * several places (only `&` in attributes, only the first `]]>` in CDATA, `&amp;` in text silently decoded, HTML
 * typed titles left unescaped). Rather than patch each path, feed only ever sees opaque tokens for free text
 * (see xml-slots.ts) and real URLs, which it runs through `new URL()`: WHATWG serialisation never emits `<`,
 * `>` or `"`, and feed escapes the `&`. The JSON Feed is built here because feed 6 writes version 1.
 *
 * Items are dated and ordered by go-live (RSS `pubDate`, Atom `published`, JSON `date_published`): readers sort
 * by that date, and a report dated years back but published today is news. Its dateline opens the item instead.
 */

export interface FeedOptions {
  publication: Publication;
  title: string;
  description: string;
  /** Absolute URL of this feed in each format; each document names its own as `self`. */
  selfUrls: FeedUrls;
  /** The page the feed belongs to. @default the site root, `${publication.siteUrl}/` */
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

/** The title and description of the public feeds (`/feeds/rss.xml`, `atom.xml`, `feed.json`). */
export function mainFeedTitles(publication: Publication): { title: string; description: string } {
  return { title: publication.name, description: `Latest reports from ${publication.name}` };
}

export function renderFeeds(views: readonly ReportView[], options: FeedOptions): RenderedFeeds {
  const clean = orderForFeed(views, options.publication.feedLength).map(cleanView);
  const context: FeedContext = {
    publication: options.publication,
    title: stripXmlIllegal(options.title),
    description: stripXmlIllegal(options.description),
    publicationName: stripXmlIllegal(options.publication.name),
    siteRootUrl: siteRootUrl(options.publication),
    homePageUrl: stripXmlIllegal(options.homePageUrl ?? siteRootUrl(options.publication)),
    selfUrls: sanitizeStrings(options.selfUrls),
    updated: options.updated,
  };
  const subscribeUrl = options.subscribeUrl ?? options.publication.subscribeUrl;
  const items = clean.map((view) => ({ view, contentHtml: itemContentHtml(view, subscribeUrl, options.publication) }));
  return { rss: renderRss(items, context), atom: renderAtom(items, context), json: renderJsonFeed(items, context) };
}
