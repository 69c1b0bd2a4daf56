import type { Publication } from './publication';
import { tagSlug } from '../reports/tags';

/**
 * Every URL a reader is sent to, built from the publication's `siteUrl` (stored without a trailing slash) in
 * this one place, so pages, feeds, digests and reader mails can never disagree about where something lives.
 * The paths must match lambdas/routes.ts (API and private feeds) and the site bucket's keys (site-publisher).
 *
 * Tokens are inserted as they are: every token we issue is URL-safe by construction (base64url signatures,
 * ULIDs, decimal versions, see subscriber-tokens.ts), and encoding them would change links already in
 * readers' inboxes.
 */

/** The site's home page, with its trailing slash (the archive `/index.html`). */
export function siteRootUrl(publication: Publication): string {
  return `${publication.siteUrl}/`;
}

/** `/reports/{slug}/`: the public report page, the canonical URL of a report everywhere. */
export function reportPageUrl(publication: Publication, slug: string): string {
  return `${publication.siteUrl}/reports/${slug}/`;
}

/**
 * `/members/reports/{slug}/`: the full text of a subscriber report for a signed-in paid reader (the preview with
 * "Sign in" for anyone else). Paid readers' digest links point here; feeds and pages keep the public URL.
 */
export function memberReportUrl(publication: Publication, slug: string): string {
  return `${publication.siteUrl}/members/reports/${slug}/`;
}

/** `/members/sign-in/?next=…`: the form that mails a sign-in link; `next` is a same-site path to return to. */
export function memberSignInUrl(publication: Publication, nextPath?: string): string {
  const next = nextPath === undefined ? '' : `?next=${encodeURIComponent(nextPath)}`;
  return `${publication.siteUrl}/members/sign-in/${next}`;
}

/** The link in the sign-in mail: opens a confirm page; only its POST signs the reader in (scanners only GET). */
export function memberSessionUrl(publication: Publication, signInToken: string, nextPath?: string): string {
  const next = nextPath === undefined ? '' : `&next=${encodeURIComponent(nextPath)}`;
  return `${publication.siteUrl}/api/members/session?token=${signInToken}${next}`;
}

/** `/editions/`: the public list of past editions. */
export function editionsIndexUrl(publication: Publication): string {
  return `${publication.siteUrl}/editions/`;
}

/** `/editions/{id}/`: an edition as free readers get it, as a public page ("View in browser" of free mails). */
export function editionPageUrl(publication: Publication, editionId: string): string {
  return `${publication.siteUrl}/editions/${editionId}/`;
}

/** `/members/editions/{id}/`: the paid edition as a page, for signed-in paid readers ("View in browser" of paid mails). */
export function memberEditionPageUrl(publication: Publication, editionId: string): string {
  return `${publication.siteUrl}/members/editions/${editionId}/`;
}

/** One feed in each format, under the same folder. */
export interface FeedUrls {
  rss: string;
  atom: string;
  json: string;
}

function feedUrlsUnder(base: string): FeedUrls {
  return { rss: `${base}/rss.xml`, atom: `${base}/atom.xml`, json: `${base}/feed.json` };
}

/** `/feeds/{rss.xml,atom.xml,feed.json}`: every public report. */
export function mainFeedUrls(publication: Publication): FeedUrls {
  return feedUrlsUnder(`${publication.siteUrl}/feeds`);
}

/** The folder of all tag feeds; Atom names it as the `scheme` of an entry's categories. */
export function tagFeedsUrl(publication: Publication): string {
  return `${publication.siteUrl}/feeds/tags/`;
}

/** `/feeds/tags/{tag slug}/…`: the public reports carrying one tag. */
export function tagFeedUrls(publication: Publication, tag: string): FeedUrls {
  return feedUrlsUnder(`${tagFeedsUrl(publication)}${tagSlug(tag)}`);
}

/** `/feeds/series/{series id}/…`: the public reports of one series (monitoring program). */
export function seriesFeedUrls(publication: Publication, seriesId: string): FeedUrls {
  return feedUrlsUnder(`${publication.siteUrl}/feeds/series/${seriesId}`);
}

/** `/series/{series id}/`: a series' page: its blurb and its reports. */
export function seriesPageUrl(publication: Publication, seriesId: string): string {
  return `${publication.siteUrl}/series/${seriesId}/`;
}

/** The reader's series preferences and unsubscribe page, linked from every mail (token like the unsubscribe one). */
export function manageUrl(publication: Publication, manageToken: string): string {
  return `${publication.siteUrl}/api/subscribers/manage?token=${manageToken}`;
}

/** `/feeds/private/{feed token}/…`: a paid reader's full-text feeds. The URL is the reader's credential. */
export function privateFeedUrls(publication: Publication, feedToken: string): FeedUrls {
  return feedUrlsUnder(`${publication.siteUrl}/feeds/private/${feedToken}`);
}

/** The private feed a paid reader subscribes to; RSS unless another file is named. */
export function privateFeedUrl(publication: Publication, feedToken: string, file = 'rss.xml'): string {
  return `${publication.siteUrl}/feeds/private/${feedToken}/${file}`;
}

/** The link in the confirmation mail. */
export function confirmUrl(publication: Publication, confirmToken: string): string {
  return `${publication.siteUrl}/api/subscribers/confirm?token=${confirmToken}`;
}

/** The unsubscribe link of every digest, also sent as the List-Unsubscribe header. */
export function unsubscribeUrl(publication: Publication, unsubscribeToken: string): string {
  return `${publication.siteUrl}/api/unsubscribe?token=${unsubscribeToken}`;
}

/**
 * The word in place of a reader's token in the digest preview an editor looks at: the links show their real
 * shape but open nothing, since no token of ours has this form.
 */
export const PREVIEW_TOKEN = 'preview';

/** The per-recipient links of the digest preview. */
export function previewRecipientUrls(publication: Publication): {
  unsubscribeUrl: string;
  feedUrl: string;
  manageUrl: string;
} {
  return {
    unsubscribeUrl: unsubscribeUrl(publication, PREVIEW_TOKEN),
    manageUrl: manageUrl(publication, PREVIEW_TOKEN),
    feedUrl: privateFeedUrl(publication, PREVIEW_TOKEN),
  };
}
