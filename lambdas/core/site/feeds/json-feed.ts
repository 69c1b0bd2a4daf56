import { feedItemId, parseDate, type FeedContext, type FeedEntry } from './items';

/** JSON Feed 1.1, built here because the `feed` package writes version 1. */

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

export function renderJsonFeed(entries: readonly FeedEntry[], context: FeedContext): string {
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
    authors: [{ name: context.publicationName, url: context.siteRootUrl }],
    items,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
