/**
 * An edition as a page, inside the layout: the free edition at `/editions/{id}/` (public) and the paid one at
 * `/members/editions/{id}/` (the vault, served to signed-in paid readers). Its reports in the mail's two sections,
 * each block like the mail's: title (linking to the report's page), dateline, summary, then the body this tier may
 * read, or the opening with the subscriber notice.
 */
export const editionTemplate = `<article class="edition">
<header>
<p class="series-name"><a href="{{editionsUrl}}">Editions</a></p>
<h1>{{heading}}</h1>
<p class="dateline"><time datetime="{{dateIso}}">{{dateHuman}}</time></p>
</header>
{{{sections}}}
</article>`;

export const editionSectionTemplate = `<section class="edition-section">
<h2>{{heading}}</h2>
{{{blocks}}}
</section>
`;

export const editionReportTemplate = `<article class="edition-report">
{{{offeringBanner}}}<p class="series-name"><a href="{{seriesLink}}">{{seriesName}}</a></p>
<h3><a href="{{url}}">{{title}}</a></h3>
<p class="dateline"><time datetime="{{publishedIso}}">{{publishedHuman}}</time></p>
<p class="standfirst">{{summary}}</p>
<div class="report-body">
{{{bodyHtml}}}
</div>
{{{subscriberNotice}}}</article>
`;

/** `/editions/index.html`: past editions, newest first. */
export const editionsIndexTemplate = `<h1>Editions of {{publicationName}}</h1>
{{{list}}}`;

export const editionsIndexItemTemplate = `<li class="archive-item">
<h2><a href="{{url}}">{{subject}}</a></h2>
<p class="dateline"><time datetime="{{dateIso}}">{{dateHuman}}</time></p>
</li>`;

export const editionsIndexEmptyTemplate = `<p>No edition has been sent yet.</p>`;
