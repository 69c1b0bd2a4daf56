/** The report page `/reports/{slug}/index.html`, inside the layout. Optional parts arrive pre-rendered or empty. */
export const reportTemplate = `<article class="report">
{{{offeringBanner}}}<header>
<p class="series-name"><a href="{{seriesLink}}">{{seriesName}}</a></p>
<h1>{{title}}</h1>
<p class="dateline"><time datetime="{{publishedIso}}">{{publishedHuman}}</time>{{{updated}}}</p>
{{{byline}}}</header>
<p class="standfirst">{{summary}}</p>
{{{leadImage}}}<div class="report-body">
{{{bodyHtml}}}
</div>
{{{subscriberNotice}}}{{{tags}}}{{{seriesBlock}}}
</article>`;

export const updatedTemplate = ` · Updated <time datetime="{{iso}}">{{human}}</time>`;

export const bylineTemplate = `<p class="byline">By {{names}}</p>
`;

export const leadImageTemplate = `<figure class="lead-image"><img src="{{url}}" alt="{{alt}}">{{{caption}}}</figure>
`;

export const captionTemplate = `<figcaption>{{caption}}</figcaption>`;

export const tagsTemplate = `<nav class="tags" aria-label="Tags">Tags: <ul>{{{items}}}</ul></nav>
`;

export const tagTemplate = `<li><a rel="tag" href="{{feedUrl}}" title="Feed of reports tagged {{tag}}">{{tag}}</a></li>`;

/** Above a member's full-text page: signing out is a POST (a link could be followed by a prefetcher). */
export const signOutTemplate = `<form class="member-bar" method="post" action="{{action}}"><p>You are signed in as a subscriber. <button type="submit">Sign out</button></p></form>
`;

/** Structured data for search engines (schema.org, JSON-LD); a data block, which the page CSP does not execute. */
export const structuredDataTemplate = `<script type="application/ld+json">{{{json}}}</script>
`;
