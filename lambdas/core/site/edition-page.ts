import { parseTemplate, renderTemplate, TrustedHtml } from '../shared/template-engine';
import { offeringBannerBlock, pageSubscriberNoticeBlock } from '../../../templates/report-blocks';
import { signOutTemplate } from '../../../templates/pages/report';
import {
  editionReportTemplate,
  editionSectionTemplate,
  editionsIndexEmptyTemplate,
  editionsIndexItemTemplate,
  editionsIndexTemplate,
  editionTemplate,
} from '../../../templates/pages/edition';
import { archiveListTemplate } from '../../../templates/pages/archive';
import { humanDate, shownDateline } from '../shared/datelines';
import type { Publication } from '../shared/publication';
import type { ReaderTier } from '../shared/reader-tier';
import {
  editionPageUrl,
  editionsIndexUrl,
  memberEditionPageUrl,
  memberSignInUrl,
  seriesPageUrl,
} from '../shared/reader-urls';
import { sanitizeStrings } from '../shared/text-safety';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE, type ReportView } from '../paywall/tiers';
import { isComplimentarySection } from '../digest/edition-content';
import { newestFirst, parseDate, renderLayout } from './pages';

/**
 * Edition pages: an edition as its tier's readers got it by mail, as a web page ("View in browser"), and the list
 * of past editions. Pure, like the other pages: the views arrive cut by tiers.ts (public views for the free page,
 * paid views for the paid one), and the caller runs the free page through the leak guard like every public file.
 */
const templates = {
  edition: parseTemplate(editionTemplate, {}, 'edition'),
  section: parseTemplate(editionSectionTemplate, {}, 'edition-section'),
  report: parseTemplate(editionReportTemplate, {}, 'edition-report'),
  offeringBanner: parseTemplate(offeringBannerBlock, {}, 'offering-banner'),
  subscriberNotice: parseTemplate(pageSubscriberNoticeBlock, {}, 'page-subscriber-notice'),
  signOut: parseTemplate(signOutTemplate, {}, 'sign-out'),
  index: parseTemplate(editionsIndexTemplate, {}, 'editions-index'),
  list: parseTemplate(archiveListTemplate, {}, 'editions-list'),
  item: parseTemplate(editionsIndexItemTemplate, {}, 'editions-item'),
};

export interface EditionPageInput {
  id: string;
  date: Date;
  tier: ReaderTier;
  /** The mail's subject (titles only, the same for both tiers). */
  subject: string;
  /** The reports as this tier reads them, in any order: split into the mail's sections and sorted here. */
  views: readonly ReportView[];
  /** The paid page is served to a signed-in member: a "Sign out" form posting here. */
  signOutPath?: string;
}

/** One edition, free (`/editions/{id}/index.html`) or paid (the vault page behind `/members/editions/{id}/`). */
export function renderEditionPage(input: EditionPageInput, publication: Publication): string {
  const paid = input.tier === 'paid';
  // "Sign in" on a preview brings a paying reader to the paid edition, where every report is in full.
  const signInUrl = memberSignInUrl(publication, new URL(memberEditionPageUrl(publication, input.id)).pathname);
  const block = (report: ReportView): string => {
    parseDate(report.dateline); // a PageRenderError naming the value, not a RangeError
    const dateline = shownDateline(report.dateline);
    return renderTemplate(templates.report, {
      offeringBanner: new TrustedHtml(
        report.complimentaryOffering
          ? `${renderTemplate(templates.offeringBanner, { notice: COMPLIMENTARY_OFFERING_NOTICE, seriesName: report.series.name })}\n`
          : '',
      ),
      seriesLink: seriesPageUrl(publication, report.series.id),
      seriesName: report.series.name,
      url: report.url,
      title: report.title,
      publishedIso: dateline.iso,
      publishedHuman: dateline.human,
      summary: report.summary,
      // Sanitised at intake and cut by tiers.ts: the only body this tier may read.
      bodyHtml: new TrustedHtml(report.bodyHtml),
      subscriberNotice: new TrustedHtml(
        report.access === 'preview'
          ? `${renderTemplate(templates.subscriberNotice, { notice: SUBSCRIBER_NOTICE, subscribeUrl: publication.subscribeUrl, signInUrl })}\n`
          : '',
      ),
    });
  };
  const sorted = newestFirst(input.views);
  const sections = [
    { heading: paid ? 'Complimentary reports' : 'Free to read', views: sorted.filter(isComplimentarySection) },
    {
      heading: paid ? 'Subscriber reports' : 'For subscribers',
      views: sorted.filter((view) => !isComplimentarySection(view)),
    },
  ].filter((section) => section.views.length > 0);
  const dateHuman = humanDate(input.date);
  const main = renderTemplate(templates.edition, {
    editionsUrl: editionsIndexUrl(publication),
    heading: `${paid ? 'Digest for subscribers' : 'Digest'} · ${dateHuman}`,
    dateIso: input.date.toISOString(),
    dateHuman,
    sections: new TrustedHtml(
      sections
        .map((section) =>
          renderTemplate(templates.section, {
            heading: section.heading,
            blocks: new TrustedHtml(section.views.map(block).join('')),
          }),
        )
        .join(''),
    ),
  });
  const signOut =
    input.signOutPath === undefined ? '' : renderTemplate(templates.signOut, { action: input.signOutPath });
  return renderLayout(publication, {
    pageTitle: sanitizeStrings({ subject: input.subject }).subject,
    ogTitle: input.subject,
    description: `The ${publication.name} digest of ${dateHuman}.`,
    canonicalUrl: paid ? memberEditionPageUrl(publication, input.id) : editionPageUrl(publication, input.id),
    ogType: 'website',
    extraHead: '',
    main: `${signOut}${main}`,
  });
}

/** One line of `/editions/`: what the editions table records when an edition's page is written. */
export interface EditionPageEntry {
  id: string;
  /** ISO instant the edition is dated by. */
  date: string;
  subject: string;
}

/** `/editions/index.html`: the editions given, newest first (by date, then id) whatever order they arrive in. */
export function renderEditionsIndex(entries: readonly EditionPageEntry[], publication: Publication): string {
  const items = [...entries]
    .sort((a, b) => b.date.localeCompare(a.date) || b.id.localeCompare(a.id))
    .map((entry) => {
      const date = parseDate(entry.date);
      return renderTemplate(templates.item, {
        url: editionPageUrl(publication, entry.id),
        subject: sanitizeStrings({ subject: entry.subject }).subject,
        dateIso: date.toISOString(),
        dateHuman: humanDate(date),
      });
    });
  const main = renderTemplate(templates.index, {
    publicationName: publication.name,
    list: new TrustedHtml(
      items.length > 0
        ? renderTemplate(templates.list, { items: new TrustedHtml(items.join('\n')) })
        : editionsIndexEmptyTemplate,
    ),
  });
  return renderLayout(publication, {
    pageTitle: `Editions — ${publication.name}`,
    ogTitle: `Editions of ${publication.name}`,
    description: `Every digest ${publication.name} has sent, as a web page.`,
    canonicalUrl: editionsIndexUrl(publication),
    ogType: 'website',
    extraHead: '',
    main,
  });
}
