import type { Publication, Series } from '../shared/publication';
import { mainFeedTitles } from './feeds/render-feeds';
import {
  mainFeedUrls,
  seriesFeedUrls,
  seriesPageUrl,
  siteRootUrl,
  tagFeedUrls,
  type FeedUrls,
} from '../shared/reader-urls';

/**
 * The public lists of reports the site publishes as feeds: every report, one tag's, one series'. Each says where
 * its three files live in the site bucket and how the feed introduces itself, so the publisher writes all of them
 * the same way (tier-aware views, the leak guard, one render for the three formats) and differs only in what it
 * reads. The folders must match the URLs of reader-urls.ts, which readers are given.
 */
export interface FeedListing {
  /** Site bucket folder of `rss.xml`, `atom.xml` and `feed.json`. */
  prefix: string;
  title: string;
  description: string;
  /** Each document names its own URL as `self`. */
  selfUrls: FeedUrls;
  /** The page the feed belongs to: the feeds' `link` / `home_page_url`. */
  homePageUrl: string;
}

/** `/feeds/…`: every public report. */
export function mainFeedListing(publication: Publication): FeedListing {
  return {
    prefix: 'feeds',
    ...mainFeedTitles(publication),
    selfUrls: mainFeedUrls(publication),
    homePageUrl: siteRootUrl(publication),
  };
}

/** `/feeds/tags/{slug}/…`: the public reports carrying one tag; `tag` is how an editor wrote it, for the title. */
export function tagFeedListing(publication: Publication, slug: string, tag: string): FeedListing {
  return {
    prefix: `feeds/tags/${slug}`,
    title: `${publication.name}: ${tag}`,
    description: `Reports tagged “${tag}” from ${publication.name}`,
    selfUrls: tagFeedUrls(publication, tag),
    homePageUrl: siteRootUrl(publication),
  };
}

/** `/feeds/series/{id}/…`: the public reports of one series, introduced by its blurb and belonging to its page. */
export function seriesFeedListing(publication: Publication, series: Series): FeedListing {
  return {
    prefix: `feeds/series/${series.id}`,
    title: `${publication.name}: ${series.name}`,
    description: series.blurb,
    selfUrls: seriesFeedUrls(publication, series.id),
    homePageUrl: seriesPageUrl(publication, series.id),
  };
}
