import type { Page } from '../shared/page';
import { editionProgress, type EditionRecord } from './edition';

/** The digests store lists editions from an index (never a Scan), newest first. */
export interface EditionListing {
  listEditions(limit: number, cursor?: string): Promise<Page<EditionRecord>>;
}

/**
 * `GET /api/digests`: the newest editions, each summarised exactly as `GET /api/digests/{id}` shows it (status,
 * reason, window, counters, report ids), so a client reads both the same way.
 */
export async function listEditions(listing: EditionListing, page: { limit: number; cursor?: string }) {
  const { items, nextCursor } = await listing.listEditions(page.limit, page.cursor);
  return { items: items.map(editionProgress), ...(nextCursor ? { nextCursor } : {}) };
}
