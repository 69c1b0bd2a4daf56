import { ConflictError } from '../shared/errors';
import type { Publication } from '../shared/publication';
import type { ReaderTier } from '../shared/reader-tier';
import { previewRecipientUrls } from '../shared/reader-urls';
import { draftReport } from '../reports/report-draft';
import { buildEditionContent, editionViews } from './edition-content';
import { personalise } from './personalise';
import { compileForTier, type Compile } from './tier-compile';
import { shortenedReportsOf, type ShortenedReports } from './clip-rule';

export interface MailPreview extends ShortenedReports {
  subject: string;
  html: string;
  text: string;
}

/**
 * `POST /api/digests/preview-report`: the email block of a report not yet saved, as each tier's digest would
 * carry it. An edition of that one report is compiled per tier exactly as the planner compiles a real one (the
 * free one through the leak guard) and given the preview's placeholder links (token `preview`, which opens
 * nothing). Nothing is stored, claimed or sent.
 */
export async function previewReportMail(
  raw: Record<string, unknown>,
  compile: Compile,
  publication: Publication,
  now: Date,
): Promise<Record<ReaderTier, MailPreview>> {
  // The same validation and cut as `POST /api/reports/preview` and a create: the same 422s, field for field.
  const { record, paid } = draftReport(raw, publication, now);
  const paidParts = new Map(paid && record.paidRef ? [[record.paidRef, paid]] : []);
  const mail = async (tier: ReaderTier): Promise<MailPreview> => {
    const views = editionViews([record], paidParts, tier, publication);
    const content = buildEditionContent({ id: `preview-${record.id}`, date: now, tier, views });
    const guarded = await compileForTier(content, [record], compile, publication);
    if (!guarded.ok) {
      throw new ConflictError('leak_blocked', 'The leak scan found subscriber-only text in the free email');
    }
    const { subject, html, text } = personalise(guarded.output, previewRecipientUrls(publication));
    return { subject, html, text, ...shortenedReportsOf(guarded.output, content) };
  };
  // One after the other: each compile is CPU-bound MJML work, so running them side by side gains nothing.
  const free = await mail('free');
  return { free, paid: await mail('paid') };
}
