/** The three documents every feed is published as, and the content type each is served with. */
export const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
export type FeedFile = (typeof FEED_FILES)[number];

export const feedContentTypes: Readonly<Record<FeedFile, string>> = {
  'rss.xml': 'application/rss+xml; charset=utf-8',
  'atom.xml': 'application/atom+xml; charset=utf-8',
  'feed.json': 'application/feed+json; charset=utf-8',
};
