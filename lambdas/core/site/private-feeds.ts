import { createHash, randomBytes } from 'node:crypto';
import { feedContentTypes, FEED_FILES, type FeedFile } from './feeds/feed-files';
import { renderFeeds, type RenderedFeeds } from './feeds/render-feeds';
import type { Publication } from '../shared/publication';
import { privateFeedUrls } from '../shared/reader-urls';
import type { PaidPart, ReportRecord } from '../reports/report';
import { paidView } from '../paywall/tiers';

/**
 * Full-text feeds for paid subscribers. One set of documents is rendered per change, with a placeholder where
 * each reader's token goes in the self URLs; serving swaps in the reader's token. The placeholder is random per
 * build (and stored beside the documents), so no report text can contain it and receive a reader's token.
 */
export function newPlaceholder(): string {
  return `dispatch-feed-token-${randomBytes(12).toString('hex')}`;
}

export function renderPrivateFeeds(
  records: readonly ReportRecord[],
  paidParts: ReadonlyMap<string, PaidPart>,
  publication: Publication,
  placeholder: string,
): { documents: Record<FeedFile, string>; updated: Date } {
  const views = records.map((record) =>
    paidView(record, record.paidRef ? paidParts.get(record.paidRef) : undefined, publication),
  );
  // The newest change, not the build time: an unchanged archive renders the same bytes, so ETags hold.
  const updated = new Date(Math.max(0, ...views.map((view) => Date.parse(view.updatedAt))));
  const rendered: RenderedFeeds = renderFeeds(views, {
    publication,
    title: `${publication.name} (full text for subscribers)`,
    description: `Every ${publication.name} report in full. This feed address is personal: please do not share it.`,
    selfUrls: privateFeedUrls(publication, placeholder),
    updated,
  });
  return { documents: { 'rss.xml': rendered.rss, 'atom.xml': rendered.atom, 'feed.json': rendered.json }, updated };
}

export function isFeedFile(name: string): name is FeedFile {
  return (FEED_FILES as readonly string[]).includes(name);
}

export interface StoredFeed {
  body: string;
  placeholder: string;
  updated: Date;
}

/** What to answer; the HTTP edge turns it into headers (and adds the private-feed caching rules). */
export interface ServedFeed {
  status: 200 | 304;
  contentType: string;
  etag: string;
  /** HTTP-date of the newest change in the feed. */
  lastModified: string;
  body: string;
}

/** The reader's copy: their token in place of the placeholder, an ETag of exactly those bytes. */
export function serveFeed(
  file: FeedFile,
  stored: StoredFeed,
  token: string,
  ifNoneMatch: string | undefined,
): ServedFeed {
  const body = stored.body.replaceAll(stored.placeholder, token);
  const etag = `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 27)}"`;
  const served = { contentType: feedContentTypes[file], etag, lastModified: stored.updated.toUTCString() };
  if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, etag)) return { status: 304, ...served, body: '' };
  return { status: 200, ...served, body };
}

function matchesEtag(header: string, etag: string): boolean {
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
