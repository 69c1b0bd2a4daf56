import { parse as parseXml, validate as validateXml } from 'fast-xml-parser';

/**
 * The item links a feed reader would follow, read with real parsers: an XML parser for RSS and Atom (so a feed
 * that is not well-formed is seen as such, never matched by accident) and JSON.parse for JSON Feed.
 * fast-xml-parser is the one XML parser in node_modules (v3, brought by s3rver, a dev dependency); the `feed`
 * package only writes.
 */
export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_PATHS: Record<FeedFormat, string> = {
  rss: '/feeds/rss.xml',
  atom: '/feeds/atom.xml',
  json: '/feeds/feed.json',
};

/** Keeps attributes (Atom puts its links in `href`) and leaves every value a string. */
const XML_OPTIONS = { ignoreAttributes: false, attributeNamePrefix: '@_', parseNodeValue: false, trimValues: true };

/** A feed body that does not parse: locally, a read that met s3rver rewriting the object in place (see feed-watch). */
export class MalformedFeedError extends Error {}

export function feedItemLinks(format: FeedFormat, text: string): string[] {
  if (format === 'json') return jsonFeedLinks(text);
  const valid = validateXml(text);
  if (valid !== true) throw new MalformedFeedError(`${FEED_PATHS[format]} is not well-formed XML: ${valid.err.msg}`);
  const document: unknown = parseXml(text, XML_OPTIONS);
  return format === 'rss' ? rssLinks(document) : atomLinks(document);
}

/** `rss > channel > item > link` (RSS 2.0). */
function rssLinks(document: unknown): string[] {
  const channel = field(field(document, 'rss'), 'channel');
  if (channel === undefined) throw new Error('rss.xml has no <rss><channel>');
  return asList(field(channel, 'item')).map((item) => text(field(item, 'link'), 'an RSS <item> <link>'));
}

/** `feed > entry > link[rel=alternate]@href` (Atom 1.0; a link without `rel` is an alternate link). */
function atomLinks(document: unknown): string[] {
  const feed = field(document, 'feed');
  if (feed === undefined) throw new Error('atom.xml has no <feed>');
  return asList(field(feed, 'entry')).map((entry) => {
    const alternate = asList(field(entry, 'link')).find((link) => {
      const rel = field(link, '@_rel');
      return rel === undefined || rel === 'alternate';
    });
    return text(field(alternate, '@_href'), 'an Atom <entry> alternate link');
  });
}

/** `items[].url` (JSON Feed 1.1). */
function jsonFeedLinks(body: string): string[] {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new MalformedFeedError(`${FEED_PATHS.json} is not valid JSON: ${(error as Error).message}`);
  }
  return asList(field(document, 'items')).map((item) => text(field(item, 'url'), 'a JSON Feed item url'));
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The XML parser gives one child as an object and several as an array; no child at all is an empty feed. */
function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`The feed has ${what} without a URL`);
  return value;
}
