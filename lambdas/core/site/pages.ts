import { parseTemplate, renderTemplate, TrustedHtml } from '../shared/template-engine';
import { offeringBannerBlock, pageSubscriberNoticeBlock, seriesBlock } from '../../../templates/report-blocks';
import { layoutTemplate, metaPropertyTemplate } from '../../../templates/pages/layout';
import {
  bylineTemplate,
  captionTemplate,
  leadImageTemplate,
  reportTemplate,
  signOutTemplate,
  structuredDataTemplate,
  tagTemplate,
  tagsTemplate,
  updatedTemplate,
} from '../../../templates/pages/report';
import {
  archiveEmptyTemplate,
  archiveItemTemplate,
  archiveListTemplate,
  archiveTemplate,
  subscribersBadgeTemplate,
} from '../../../templates/pages/archive';
import { humanDate, shownDateline } from '../shared/datelines';
import {
  mainFeedUrls,
  memberReportUrl,
  memberSignInUrl,
  seriesPageUrl,
  siteRootUrl,
  tagFeedUrls,
} from '../shared/reader-urls';
import type { Publication } from '../shared/publication';
import { sanitizeStrings } from '../shared/text-safety';
import type { ReportView } from '../paywall/tiers';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE } from '../paywall/tiers';

/**
 * Static pages for the site bucket (brief §4): the report page and the archive. Pure: views arrive filtered and
 * cut by tiers.ts, so a page shows exactly the bodyHtml it is given plus the notices its `access` calls for.
 * Meta description and OpenGraph come from the summary alone, never from the body.
 */

export class PageRenderError extends Error {
  override readonly name = 'PageRenderError';
}

/** Parsed once per container. `{{{x}}}` takes only TrustedHtml, so a part must be marked as built here to go in raw. */
const templates = {
  layout: parseTemplate(layoutTemplate, {}, 'layout'),
  meta: parseTemplate(metaPropertyTemplate, {}, 'meta-property'),
  report: parseTemplate(reportTemplate, {}, 'report'),
  updated: parseTemplate(updatedTemplate, {}, 'updated'),
  byline: parseTemplate(bylineTemplate, {}, 'byline'),
  leadImage: parseTemplate(leadImageTemplate, {}, 'lead-image'),
  caption: parseTemplate(captionTemplate, {}, 'caption'),
  tags: parseTemplate(tagsTemplate, {}, 'tags'),
  tag: parseTemplate(tagTemplate, {}, 'tag'),
  offeringBanner: parseTemplate(offeringBannerBlock, {}, 'offering-banner'),
  subscriberNotice: parseTemplate(pageSubscriberNoticeBlock, {}, 'page-subscriber-notice'),
  series: parseTemplate(seriesBlock, {}, 'series'),
  archive: parseTemplate(archiveTemplate, {}, 'archive'),
  archiveList: parseTemplate(archiveListTemplate, {}, 'archive-list'),
  archiveItem: parseTemplate(archiveItemTemplate, {}, 'archive-item'),
  signOut: parseTemplate(signOutTemplate, {}, 'sign-out'),
  structuredData: parseTemplate(structuredDataTemplate, {}, 'structured-data'),
};

/** Markup built in this module from escaped parts or sanitised bodies, to go into a `{{{raw}}}` placeholder. */
function trusted(html: string): TrustedHtml {
  return new TrustedHtml(html);
}

export interface ReportPageOptions {
  /**
   * A signed-in member's full-text page (`/members/reports/{slug}/`): a "Sign out" form posting here, and no
   * structured data (the page is private and never indexed).
   */
  signOutPath?: string;
}

/** `/reports/{slug}/index.html`, and the member page of a subscriber report (see {@link ReportPageOptions}). */
export function renderReportPage(view: ReportView, publication: Publication, options: ReportPageOptions = {}): string {
  const report = sanitizeStrings(view);
  // Readers see the dateline, which may be years before the report went live.
  const published = parseDate(report.dateline);
  const dateline = shownDateline(report.dateline);
  const updated = parseDate(report.updatedAt);
  const main = renderTemplate(templates.report, {
    offeringBanner: trusted(
      report.complimentaryOffering
        ? `${renderTemplate(templates.offeringBanner, { notice: COMPLIMENTARY_OFFERING_NOTICE, seriesName: report.series.name })}\n`
        : '',
    ),
    // The series' own page, which carries the programme's external link.
    seriesLink: seriesPageUrl(publication, report.series.id),
    seriesName: report.series.name,
    title: report.title,
    publishedIso: dateline.iso,
    publishedHuman: dateline.human,
    // A correction shows when it happened; a same-day fix of a typo does not need a second date.
    updated: trusted(
      report.revision > 1 && humanDate(updated) !== dateline.human
        ? renderTemplate(templates.updated, { iso: updated.toISOString(), human: humanDate(updated) })
        : '',
    ),
    byline: trusted(
      report.authors.length > 0 ? renderTemplate(templates.byline, { names: listOfNames(report.authors) }) : '',
    ),
    summary: report.summary,
    leadImage: trusted(
      report.leadImage
        ? renderTemplate(templates.leadImage, {
            url: report.leadImage.url,
            alt: report.leadImage.alt,
            caption: trusted(
              report.leadImage.caption ? renderTemplate(templates.caption, { caption: report.leadImage.caption }) : '',
            ),
          })
        : '',
    ),
    // Sanitised at intake and cut by tiers.ts: the only body this audience may read.
    bodyHtml: trusted(report.bodyHtml),
    subscriberNotice: trusted(
      report.access === 'preview'
        ? `${renderTemplate(templates.subscriberNotice, {
            notice: SUBSCRIBER_NOTICE,
            subscribeUrl: publication.subscribeUrl,
            // Back to the member page of this report once signed in: there a paid reader reads it in full.
            signInUrl: memberSignInUrl(publication, new URL(memberReportUrl(publication, report.slug)).pathname),
          })}\n`
        : '',
    ),
    tags: trusted(
      report.tags.length > 0
        ? renderTemplate(templates.tags, {
            items: trusted(
              report.tags
                .map((tag) => renderTemplate(templates.tag, { tag, feedUrl: tagFeedUrls(publication, tag).rss }))
                .join(''),
            ),
          })
        : '',
    ),
    seriesBlock: trusted(
      renderTemplate(templates.series, {
        name: report.series.name,
        blurb: report.series.blurb,
        link: seriesPageUrl(publication, report.series.id),
      }),
    ),
  });
  const signOut =
    options.signOutPath === undefined ? '' : renderTemplate(templates.signOut, { action: options.signOutPath });
  const extraHead = [
    ...(options.signOutPath === undefined ? [structuredData(report, publication, published, updated)] : []),
    ...(report.leadImage
      ? [
          meta('og:image', report.leadImage.url),
          meta('og:image:alt', report.leadImage.alt),
          meta('twitter:card', 'summary_large_image'),
        ]
      : []),
    meta('article:published_time', published.toISOString()),
    meta('article:modified_time', updated.toISOString()),
    meta('article:section', report.series.name),
    ...report.tags.map((tag) => meta('article:tag', tag)),
  ].join('');
  return renderLayout(publication, {
    pageTitle: `${report.title} — ${publication.name}`,
    ogTitle: report.title,
    description: report.summary,
    canonicalUrl: report.url,
    ogType: 'article',
    extraHead,
    main: `${signOut}${main}`,
  });
}

/**
 * schema.org Article data for search engines, which require it on paywalled pages: `isAccessibleForFree` false
 * with the paywalled section named by its CSS selector (the subscriber notice stands where the paid text would),
 * true for a report everyone may read in full. Title, summary, dates and authors only: never body text, paid or not.
 * `<`, `>` and `&` are escaped inside the JSON so no text can close the script element.
 */
function structuredData(report: ReportView, publication: Publication, published: Date, updated: Date): string {
  const paywalled = report.access === 'preview';
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: report.title,
    description: report.summary,
    datePublished: published.toISOString(),
    dateModified: updated.toISOString(),
    ...(report.authors.length > 0 ? { author: report.authors.map((name) => ({ '@type': 'Person', name })) } : {}),
    publisher: { '@type': 'Organization', name: publication.name },
    mainEntityOfPage: report.url,
    isAccessibleForFree: !paywalled,
    ...(paywalled
      ? { hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.paywalled' } }
      : {}),
  };
  const json = JSON.stringify(data).replace(
    /[<>&]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return renderTemplate(templates.structuredData, { json: trusted(json) });
}

/** `/index.html`: the views the caller has found published, newest first whatever order they arrive in. */
export function renderArchivePage(views: ReportView[], publication: Publication, options: { updated: Date }): string {
  const reports = newestFirst(views);
  const items = reports.map((report) => {
    parseDate(report.dateline); // a PageRenderError naming the value, not a RangeError
    const dateline = shownDateline(report.dateline);
    return renderTemplate(templates.archiveItem, {
      url: report.url,
      title: report.title,
      badge: trusted(report.access === 'preview' ? subscribersBadgeTemplate : ''),
      publishedIso: dateline.iso,
      publishedHuman: dateline.human,
      seriesLink: seriesPageUrl(publication, report.series.id),
      seriesName: report.series.name,
      summary: report.summary,
    });
  });
  const main = renderTemplate(templates.archive, {
    publicationName: publication.name,
    updatedIso: options.updated.toISOString(),
    updatedHuman: humanDate(options.updated),
    list: trusted(
      items.length > 0
        ? renderTemplate(templates.archiveList, { items: trusted(items.join('\n')) })
        : archiveEmptyTemplate,
    ),
  });
  return renderLayout(publication, {
    pageTitle: publication.name,
    ogTitle: publication.name,
    description: `Reports from ${publication.name}: ${listOfNames(publication.series.map((series) => series.name))}.`,
    canonicalUrl: siteRootUrl(publication),
    ogType: 'website',
    extraHead: '',
    main,
  });
}

/** Views cleaned for a page and ordered newest go-live first (ties by id), whatever order they arrive in. */
export function newestFirst(views: readonly ReportView[]): ReportView[] {
  return views
    .map((view) => sanitizeStrings(view))
    .sort((a, b) => parseDate(b.publishAt).getTime() - parseDate(a.publishAt).getTime() || compare(b.id, a.id));
}

export interface LayoutValues {
  pageTitle: string;
  ogTitle: string;
  description: string;
  canonicalUrl: string;
  ogType: 'article' | 'website';
  /** Raw, pre-rendered meta lines. */
  extraHead: string;
  /** Raw, pre-rendered page content. */
  main: string;
}

/** A page in the site's shell: head, header, the footer with the main feeds. */
export function renderLayout(publication: Publication, values: LayoutValues): string {
  const feeds = mainFeedUrls(publication);
  return renderTemplate(templates.layout, {
    ...values,
    extraHead: trusted(values.extraHead),
    main: trusted(values.main),
    publicationName: publication.name,
    homeUrl: siteRootUrl(publication),
    subscribeUrl: publication.subscribeUrl,
    rssUrl: feeds.rss,
    atomUrl: feeds.atom,
    jsonUrl: feeds.json,
  });
}

function meta(property: string, content: string): string {
  return renderTemplate(templates.meta, { property, content });
}

/** `A`, `A and B`, `A, B and C`. */
function listOfNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

export function parseDate(iso: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new PageRenderError(`Not a date: ${JSON.stringify(iso)}`);
  return date;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
