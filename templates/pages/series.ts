/**
 * A series page `/series/{id}/index.html`, inside the layout: the programme's name, blurb and external link, its
 * feeds, and its latest public reports newest first (the list reuses the archive's `archiveListTemplate`).
 */
export const seriesTemplate = `<header class="series-header">
<h1>{{name}}</h1>
<p class="standfirst">{{blurb}}</p>
<p class="series-links"><a href="{{link}}">About {{name}}</a> · Follow this series: <a href="{{rssUrl}}">RSS</a> · <a href="{{atomUrl}}">Atom</a> · <a href="{{jsonUrl}}">JSON Feed</a></p>
{{{updated}}}</header>
{{{list}}}`;

export const seriesUpdatedTemplate = `<p class="dateline">Updated <time datetime="{{iso}}">{{human}}</time></p>
`;

export const seriesEmptyTemplate = `<p>No reports have been published in this series yet.</p>`;

/** One report of the series: no series line, unlike the archive's item, since the page is the series. */
export const seriesItemTemplate = `<li class="archive-item">
<h2><a href="{{url}}">{{title}}</a>{{{badge}}}</h2>
<p class="dateline"><time datetime="{{publishedIso}}">{{publishedHuman}}</time></p>
<p class="summary">{{summary}}</p>
</li>`;

/** The series' feeds for feed autodiscovery, ahead of the layout's main feeds so readers offer them first. */
export const seriesAlternatesTemplate = `<link rel="alternate" type="application/rss+xml" title="{{title}} (RSS)" href="{{rssUrl}}">
<link rel="alternate" type="application/atom+xml" title="{{title}} (Atom)" href="{{atomUrl}}">
<link rel="alternate" type="application/feed+json" title="{{title}} (JSON Feed)" href="{{jsonUrl}}">
`;
