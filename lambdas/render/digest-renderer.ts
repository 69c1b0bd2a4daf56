import { randomBytes } from 'node:crypto';
import { compile as compileHtmlToText, type DomNode, type FormatCallback } from 'html-to-text';
import mjml2html from 'mjml';
import {
  assertEditionContent,
  editionPreheader,
  editionSubject,
  formatEditionDate,
  type EditionContent,
} from '../core/digest/edition-content';
import {
  RECIPIENT_TOKENS,
  splitOnSentinels,
  type CompiledEdition,
  type RecipientToken,
  type SplitDocument,
} from '../core/digest/compiled-edition';
import { datelineTimeZone } from '../core/shared/datelines';
import type { Publication } from '../core/shared/publication';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE, type ReportView } from '../core/paywall/tiers';
import { editionPageUrl, memberEditionPageUrl } from '../core/shared/reader-urls';
import { parseTemplate, renderTemplate, TrustedHtml, type Template } from '../core/shared/template-engine';
import { loadDigestTemplates } from './templates';

/**
 * Stage 1 of the digest: once per edition and tier, fill the MJML template, compile it, derive the text part,
 * and cut both at the per-recipient sentinels. Stage 2 (`personalise`, in core/digest/personalise.ts so the
 * sender never loads MJML) only joins the parts.
 */
export { personalise } from '../core/digest/personalise';

export class DigestRenderError extends Error {
  override readonly name = 'DigestRenderError';
}

let compileCount = 0;

/** How many times this process has run MJML: the benchmark proves one compile per edition and tier. */
export function mjmlCompileCount(): number {
  return compileCount;
}

let digestTemplate: Template | undefined;

function template(): Template {
  if (!digestTemplate) {
    const sources = loadDigestTemplates();
    digestTemplate = parseTemplate(sources.digest, sources.partials, 'digest.mjml');
  }
  return digestTemplate;
}

/**
 * Strict: the template is ours and every inserted value is escaped (bodyHtml is sanitised HTML inside
 * mj-text, which MJML does not validate), so any validation error is a template bug. Failing the compile
 * in the planner beats mailing a broken layout to every subscriber. No includes: partials are inlined by our
 * engine, and nothing in the content may make MJML read a file.
 */
const MJML_OPTIONS = {
  validationLevel: 'strict',
  keepComments: false,
  ignoreIncludes: true,
  fonts: {},
} as const;

/** Keeps mail clients from pulling body text into the inbox preview after a short preheader. */
const PREHEADER_PADDING = new TrustedHtml('&#847;&zwnj;&nbsp;'.repeat(40));

/**
 * An image in the text part is its alt text, `[Image: …]`, so the text says what the HTML shows; never its URL,
 * which says nothing to a reader. An image with empty alt is decoration (as in the HTML) and is left out.
 */
const imageAsAltText: FormatCallback = (elem, _walk, builder) => {
  const alt = (elem.attribs as { alt?: unknown } | undefined)?.alt;
  if (typeof alt === 'string' && alt.trim() !== '') builder.addInline(`[Image: ${alt.trim()}]`);
};

function firstImage(nodes: readonly DomNode[] | undefined): DomNode | undefined {
  for (const node of nodes ?? []) {
    if (node.name === 'img') return node;
    const found = firstImage(node.children);
    if (found) return found;
  }
  return undefined;
}

/**
 * The lead image is a link to the report, whose title link just above already prints that URL: only its alt text
 * goes in, as a block. Its caption (the same class) reads as it is.
 */
const leadImageBlock: FormatCallback = (elem, walk, builder, options) => {
  builder.openBlock({ leadingLineBreaks: options.leadingLineBreaks ?? 1 });
  const image = firstImage(elem.children);
  if (image) imageAsAltText(image, walk, builder, options);
  else walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: options.trailingLineBreaks ?? 1 });
};

/** Built once: html-to-text compiles its selectors, so reusing the converter is much cheaper. */
const htmlToText = compileHtmlToText({
  wordwrap: 78,
  // The content wrapper excludes the hidden preheader, which would otherwise open the text part.
  baseElements: { selectors: ['.dispatch-content'] },
  formatters: { imageAsAltText, leadImageBlock },
  selectors: [
    { selector: 'img', format: 'imageAsAltText' },
    { selector: '.lead-image', format: 'leadImageBlock' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
  ],
});

/** Random per compile, so no report text can contain a sentinel and receive a reader's private URL. */
function newSentinels(): Record<RecipientToken, string> {
  const nonce = randomBytes(12).toString('hex').toUpperCase();
  return {
    unsubscribeUrl: `%%DISPATCH_UNSUBSCRIBE_URL_${nonce}%%`,
    feedUrl: `%%DISPATCH_FEED_URL_${nonce}%%`,
    manageUrl: `%%DISPATCH_MANAGE_URL_${nonce}%%`,
  };
}

function byline(authors: readonly string[]): string {
  if (authors.length === 0) return '';
  if (authors.length === 1) return `By ${authors[0]}`;
  return `By ${authors.slice(0, -1).join(', ')} and ${authors.at(-1)}`;
}

function reportModel(view: ReportView, timeZone: string) {
  return {
    url: view.url,
    title: view.title,
    summary: view.summary,
    series: view.series,
    // The report's own date (may be long past), not when it went live; a plain day reads the same in any zone.
    dateline: formatEditionDate(view.dateline, datelineTimeZone(view.dateline, timeZone)),
    byline: byline(view.authors),
    // Explicit null: a missing key would make the engine look the name up in the outer scope.
    leadImage: view.leadImage
      ? { url: view.leadImage.url, alt: view.leadImage.alt, caption: view.leadImage.caption ?? '' }
      : null,
    bodyHtml: new TrustedHtml(view.bodyHtml),
    preview: view.access === 'preview',
    complimentaryOffering: view.complimentaryOffering,
  };
}

function editionModel(content: EditionContent, publication: Publication, sentinels: Record<RecipientToken, string>) {
  const timeZone = publication.digest.timeZone;
  const paid = content.tier === 'paid';
  const shortened = new Set(content.shortenedReportIds ?? []);
  return {
    subject: editionSubject(content, publication),
    preheader: editionPreheader(content),
    preheaderPadding: PREHEADER_PADDING,
    publication: {
      name: publication.name,
      siteUrl: publication.siteUrl,
      subscribeUrl: publication.subscribeUrl,
      footerText: publication.footerText,
    },
    paid,
    // Per edition and tier, not per reader: the free edition's public page, or the paid edition's member page.
    viewInBrowserUrl: paid ? memberEditionPageUrl(publication, content.id) : editionPageUrl(publication, content.id),
    editionLabel: paid ? 'Digest for subscribers' : 'Digest',
    editionDate: formatEditionDate(content.date, timeZone),
    complimentaryHeading: paid ? 'Complimentary reports' : 'Free to read',
    subscriberHeading: paid ? 'Subscriber reports' : 'For subscribers',
    hasComplimentary: content.complimentary.length > 0,
    hasSubscriberOnly: content.subscriberOnly.length > 0,
    // Shortened reports are always the tail of the mail (clip-rule.ts): they follow the full ones of their section,
    // as a compact list in one block, since a block of their own would weigh almost as much as the report.
    complimentary: content.complimentary
      .filter((view) => !shortened.has(view.id))
      .map((view) => reportModel(view, timeZone)),
    complimentaryShortened: content.complimentary
      .filter((view) => shortened.has(view.id))
      .map((view) => reportModel(view, timeZone)),
    subscriberOnly: content.subscriberOnly
      .filter((view) => !shortened.has(view.id))
      .map((view) => reportModel(view, timeZone)),
    subscriberShortened: content.subscriberOnly
      .filter((view) => shortened.has(view.id))
      .map((view) => reportModel(view, timeZone)),
    subscriberNotice: SUBSCRIBER_NOTICE,
    offeringNotice: COMPLIMENTARY_OFFERING_NOTICE,
    unsubscribeUrl: sentinels.unsubscribeUrl,
    manageUrl: sentinels.manageUrl,
    feedUrl: paid ? sentinels.feedUrl : null,
  };
}

/** The sentinels must come through MJML and html-to-text intact, or a reader would get a dead link. */
function checkSlots(name: string, doc: SplitDocument, required: readonly RecipientToken[], nonce: string): void {
  for (const token of RECIPIENT_TOKENS) {
    const present = doc.slots.includes(token);
    if (present !== required.includes(token)) {
      throw new DigestRenderError(`The compiled ${name} part ${present ? 'unexpectedly has' : 'lost'} ${token}`);
    }
  }
  if (doc.parts.some((part) => part.includes(nonce))) {
    throw new DigestRenderError(`The compiled ${name} part has a mangled per-recipient token`);
  }
}

export async function compileEdition(content: EditionContent, publication: Publication): Promise<CompiledEdition> {
  assertEditionContent(content);
  const sentinels = newSentinels();
  const model = editionModel(content, publication, sentinels);
  const mjml = renderTemplate(template(), model);

  compileCount += 1;
  let compiled: Awaited<ReturnType<typeof mjml2html>>;
  try {
    compiled = await mjml2html(mjml, MJML_OPTIONS);
  } catch (error) {
    throw new DigestRenderError(`MJML rejected edition ${content.id} (${content.tier})`, { cause: error });
  }
  if (compiled.errors.length > 0) {
    const messages = compiled.errors.map((error) => error.formattedMessage).join('; ');
    throw new DigestRenderError(`MJML reported errors for edition ${content.id}: ${messages}`);
  }

  const required: RecipientToken[] =
    content.tier === 'paid' ? ['unsubscribeUrl', 'manageUrl', 'feedUrl'] : ['unsubscribeUrl', 'manageUrl'];
  const nonce = sentinels.unsubscribeUrl.slice('%%DISPATCH_UNSUBSCRIBE_URL_'.length, -2);
  const html = splitOnSentinels(compiled.html, sentinels);
  const text = splitOnSentinels(htmlToText(compiled.html), sentinels);
  checkSlots('HTML', html, required, nonce);
  checkSlots('text', text, required, nonce);

  const reportIds = [...content.complimentary, ...content.subscriberOnly].map((view) => view.id);
  return {
    format: 'dispatch.compiled-edition.v1',
    editionId: content.id,
    tier: content.tier,
    subject: model.subject,
    preheader: model.preheader,
    reportIds,
    shortenedReportIds: reportIds.filter((id) => content.shortenedReportIds?.includes(id)),
    html,
    text,
  };
}
