import { describe, expect, it } from 'vitest';
import { mainFeedListing, seriesFeedListing, tagFeedListing } from '../../lambdas/core/site/feed-listings';
import { seriesPageKey } from '../../lambdas/core/site/publishing';
import { seriesPageUrl } from '../../lambdas/core/shared/reader-urls';
import { tagSlug } from '../../lambdas/core/reports/tags';
import { findSeries } from '../../lambdas/core/shared/publication';
import { testPublication } from '../fixtures/hostile-views';

const cableMap = findSeries(testPublication, 'cable-map');
if (!cableMap) throw new Error('fixture series cable-map missing');

/** The site-bucket key a reader's URL reaches: the path after siteUrl (CloudFront maps `…/` to `…/index.html`). */
const keyOf = (url: string) => {
  const path = url.slice(testPublication.siteUrl.length + 1);
  return path.endsWith('/') ? `${path}index.html` : path;
};

describe('feed listings', () => {
  it.each([
    ['main', mainFeedListing(testPublication)],
    ['tag', tagFeedListing(testPublication, tagSlug('Tech <AI>'), 'Tech <AI>')],
    ['series', seriesFeedListing(testPublication, cableMap)],
  ])('writes the %s feeds where the URLs given to readers point', (_kind, listing) => {
    expect(keyOf(listing.selfUrls.rss)).toBe(`${listing.prefix}/rss.xml`);
    expect(keyOf(listing.selfUrls.atom)).toBe(`${listing.prefix}/atom.xml`);
    expect(keyOf(listing.selfUrls.json)).toBe(`${listing.prefix}/feed.json`);
  });

  it('introduces a series feed by the series: its name, its blurb and its page', () => {
    expect(seriesFeedListing(testPublication, cableMap)).toMatchObject({
      prefix: 'feeds/series/cable-map',
      title: 'Tidewater Observatory: Cable Map',
      description: cableMap.blurb,
      homePageUrl: 'https://observatory.example.net/series/cable-map/',
    });
    expect(keyOf(seriesPageUrl(testPublication, 'cable-map'))).toBe(seriesPageKey('cable-map'));
  });

  it('keeps the main and tag feeds as they were: the site root as their page', () => {
    expect(mainFeedListing(testPublication)).toMatchObject({
      prefix: 'feeds',
      title: 'Tidewater Observatory',
      description: 'Latest reports from Tidewater Observatory',
      homePageUrl: 'https://observatory.example.net/',
    });
    expect(tagFeedListing(testPublication, 'tech-ai', 'Tech <AI>')).toMatchObject({
      prefix: 'feeds/tags/tech-ai',
      title: 'Tidewater Observatory: Tech <AI>',
      description: 'Reports tagged “Tech <AI>” from Tidewater Observatory',
    });
  });
});
