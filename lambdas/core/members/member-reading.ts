import { renderGuarded } from '../paywall/leak-guard';
import { isFullyPublic, paidView, publicBoilerplate, publicView, stubView, visibility } from '../paywall/tiers';
import type { Publication } from '../shared/publication';
import { memberEditionPageUrl, reportPageUrl } from '../shared/reader-urls';
import { renderReportPage } from '../site/pages';
import { memberPageHtml, memberPages, MEMBER_API_PATHS } from './member-pages';
import type { Member } from './member-sessions';
import type { MemberContent } from './ports';

/** What a member page request gets: a page (full text or preview), a redirect to the public page, or nothing. */
export type MemberPageAnswer =
  | { kind: 'page'; html: string; access: 'full' | 'preview' }
  | { kind: 'redirect'; location: string }
  | { kind: 'not-found' };

/**
 * Who reads what at `/members/reports/{slug}/` and `/members/editions/{id}/`: a signed-in active paid reader gets
 * the full text (the paid part from the vault) or the paid edition; anyone else the public preview with "Sign in"
 * beside "Subscribe", or a page that points to the free edition. The preview is a public artifact like the public
 * page, so it passes the same leak guard.
 */
export class MemberReading {
  constructor(
    private readonly content: MemberContent,
    private readonly publication: Publication,
    /** The preview's own frame carried paid text (a renderer bug): nothing is served, and this raises the alarm. */
    private readonly onLeakBlocked: (reportIds: string[]) => void,
  ) {}

  async reportPage(slug: string, member: Member, now: Date): Promise<MemberPageAnswer> {
    const record = await this.content.reportBySlug(slug);
    if (!record || visibility(record, now) !== 'published') return { kind: 'not-found' };
    // Everyone may read it in full on its public page: one URL for one text.
    if (isFullyPublic(record)) return { kind: 'redirect', location: reportPageUrl(this.publication, record.slug) };
    if (member.kind === 'reader' && member.paid) {
      if (record.paidRef === undefined) throw new Error(`Report ${record.id} is subscriber-only but has no paid part`);
      const view = paidView(record, await this.content.paidPart(record.paidRef), this.publication);
      const html = renderReportPage(view, this.publication, { signOutPath: MEMBER_API_PATHS.logout });
      return { kind: 'page', html, access: 'full' };
    }
    const guarded = await renderGuarded({
      views: [publicView(record, this.publication)],
      covered: [record],
      render: (views) => views.map((view) => renderReportPage(view, this.publication)).join(''),
      text: (html) => html,
      stub: stubView,
      boilerplate: publicBoilerplate(this.publication),
    });
    if (!guarded.ok) {
      this.onLeakBlocked(guarded.sources);
      return { kind: 'not-found' };
    }
    return { kind: 'page', html: guarded.output, access: 'preview' };
  }

  async editionPage(editionId: string, member: Member): Promise<MemberPageAnswer> {
    const page = await this.content.paidEditionPage(editionId);
    if (page === undefined) return { kind: 'not-found' };
    if (member.kind === 'reader' && member.paid) return { kind: 'page', html: page, access: 'full' };
    // "Sign in" brings the reader back to this page.
    const memberPath = new URL(memberEditionPageUrl(this.publication, editionId)).pathname;
    const html = memberPageHtml(
      this.publication,
      memberPages.subscribersEdition(this.publication, editionId, memberPath),
    );
    return { kind: 'page', html, access: 'preview' };
  }
}
