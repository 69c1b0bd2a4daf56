/** The archive `/index.html`: every published report, newest first, inside the layout. */
export const archiveTemplate = `<h1>{{publicationName}}</h1>
<p class="dateline">Updated <time datetime="{{updatedIso}}">{{updatedHuman}}</time></p>
{{{list}}}`;

export const archiveListTemplate = `<ol class="archive">
{{{items}}}
</ol>`;

export const archiveEmptyTemplate = `<p>No reports have been published yet.</p>`;

export const archiveItemTemplate = `<li class="archive-item">
<h2><a href="{{url}}">{{title}}</a>{{{badge}}}</h2>
<p class="dateline"><time datetime="{{publishedIso}}">{{publishedHuman}}</time> · <a href="{{seriesLink}}">{{seriesName}}</a></p>
<p class="summary">{{summary}}</p>
</li>`;

export const subscribersBadgeTemplate = ` <span class="badge">Subscribers</span>`;
