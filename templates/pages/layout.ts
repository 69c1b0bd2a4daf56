/**
 * The page shell shared by the report page and the archive. Static HTML that reads fully without JavaScript;
 * the few styles are inline so a page is one request. `{{x}}` is escaped, `{{{x}}}` raw
 * (lambdas/core/shared/template-engine.ts).
 */
export const layoutTemplate = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{pageTitle}}</title>
<meta name="description" content="{{description}}">
<link rel="canonical" href="{{canonicalUrl}}">
<meta property="og:site_name" content="{{publicationName}}">
<meta property="og:title" content="{{ogTitle}}">
<meta property="og:description" content="{{description}}">
<meta property="og:url" content="{{canonicalUrl}}">
<meta property="og:type" content="{{ogType}}">
{{{extraHead}}}<link rel="alternate" type="application/rss+xml" title="{{publicationName}} (RSS)" href="{{rssUrl}}">
<link rel="alternate" type="application/atom+xml" title="{{publicationName}} (Atom)" href="{{atomUrl}}">
<link rel="alternate" type="application/feed+json" title="{{publicationName}} (JSON Feed)" href="{{jsonUrl}}">
<style>
body{margin:0 auto;max-width:42rem;padding:1rem;font:1.0625rem/1.6 Georgia,serif;color:#1a1a1a;background:#fff}
a{color:#0b4f8a}
img{max-width:100%;height:auto}
.site-header,.site-footer{font-family:system-ui,sans-serif;font-size:.9rem}
.site-header{border-bottom:1px solid #ddd;padding-bottom:.5rem}
.site-footer{border-top:1px solid #ddd;margin-top:3rem;padding-top:.5rem;color:#555}
.dateline,.byline,.series-name,.tags{font-family:system-ui,sans-serif;font-size:.9rem;color:#555}
.standfirst{font-size:1.2rem}
.offering-banner,.subscriber-notice{background:#f3f6fa;border-left:4px solid #0b4f8a;padding:.5rem 1rem}
.series-block{border-top:1px solid #ddd;margin-top:2rem;font-size:.95rem}
.tags ul{display:inline;list-style:none;padding:0}
.tags li{display:inline;margin-right:.5rem}
.archive{list-style:none;padding:0}
.archive-item{margin-bottom:2rem}
.badge{font-family:system-ui,sans-serif;font-size:.75rem;background:#0b4f8a;color:#fff;border-radius:.25rem;padding:.1rem .4rem;margin-left:.5rem;vertical-align:middle}
figcaption{font-size:.9rem;color:#555}
.member-bar{font-family:system-ui,sans-serif;font-size:.9rem;text-align:right}
</style>
</head>
<body>
<header class="site-header"><a href="{{homeUrl}}">{{publicationName}}</a></header>
<main>
{{{main}}}
</main>
<footer class="site-footer">
<p>{{publicationName}}</p>
<p><a href="{{subscribeUrl}}">Subscribe</a> · Feeds: <a href="{{rssUrl}}">RSS</a> · <a href="{{atomUrl}}">Atom</a> · <a href="{{jsonUrl}}">JSON Feed</a></p>
</footer>
</body>
</html>
`;

/** One OpenGraph or article meta line, for the optional ones that only some pages have. */
export const metaPropertyTemplate = `<meta property="{{property}}" content="{{content}}">
`;
