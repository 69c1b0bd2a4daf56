import type { Publication } from '../shared/publication';
import type { ReaderTier } from '../shared/reader-tier';
import { previewFeedItems, type FeedItemPreview } from '../site/feeds/item-preview';
import { draftReport, pageParts, type PageParts } from './report-draft';

/**
 * `POST /api/reports/preview`: exactly the validation and cut of a create, with nothing stored and no slug
 * claimed, and what each reader tier gets of the report — the page's parts and the feed item. (The email block
 * comes from digests-api, the one function that carries MJML: `POST /api/digests/preview-report`.)
 */
export interface ReportPreview extends PageParts {
  feedItem: Record<ReaderTier, FeedItemPreview>;
}

export async function previewReport(
  raw: Record<string, unknown>,
  publication: Publication,
  now: Date,
): Promise<ReportPreview> {
  const draft = draftReport(raw, publication, now);
  return { ...pageParts(draft), feedItem: await previewFeedItems(draft, publication) };
}
