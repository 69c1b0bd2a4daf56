/**
 * Blocks that frame a report's body wherever it is read: feeds and the report page. They live apart from the
 * page templates so that a reader sees the same notice and series block in a feed reader and on the site.
 * Rendered with lambdas/core/shared/template-engine.ts: `{{x}}` is escaped, `{{{x}}}` is raw (TrustedHtml).
 */

/**
 * Opens a feed item whose dateline is another day than the one it went live: the item's own date is go-live
 * (readers sort by it, and an old date would bury a new report), so the dateline is shown here.
 */
export const feedDatelineBlock = `<p class="dateline">Dated <time datetime="{{iso}}">{{human}}</time></p>`;

/** Prepended to a subscriber report that has become complimentary (brief §2). */
export const offeringBannerBlock = `<p class="offering-banner"><strong>{{notice}} from {{seriesName}}.</strong></p>`;

/** Appended to a preview in feeds, where the reader is not on the report page yet. */
export const feedSubscriberNoticeBlock = `<p class="subscriber-notice"><em>{{notice}}</em> <a href="{{subscribeUrl}}">Subscribe</a> · <a href="{{reportUrl}}">Read the preview</a></p>`;

/**
 * Appended to a preview on the report page itself, so it links only onwards: to subscribing, and to signing in for
 * a reader who already pays. It stands where the paid section would be, so it carries `paywalled`, the CSS selector
 * the page's structured data names as the part not accessible for free.
 */
export const pageSubscriberNoticeBlock = `<aside class="subscriber-notice paywalled"><p><em>{{notice}}</em> <a class="subscribe-link" href="{{subscribeUrl}}">Subscribe</a> · <a class="sign-in-link" href="{{signInUrl}}">Sign in</a></p></aside>`;

/** The monitoring program's block under every report, like the program block at the end of a printed one. */
export const seriesBlock = `<aside class="series-block"><p><strong><a href="{{link}}">{{name}}</a></strong></p><p>{{blurb}}</p></aside>`;
