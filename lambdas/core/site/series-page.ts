import { parseTemplate, renderTemplate, TrustedHtml } from '../shared/template-engine';
import { archiveListTemplate, subscribersBadgeTemplate } from '../../../templates/pages/archive';
import {
  seriesAlternatesTemplate,
  seriesEmptyTemplate,
  seriesItemTemplate,
  seriesTemplate,
  seriesUpdatedTemplate,
} from '../../../templates/pages/series';
import { humanDate, shownDateline } from '../shared/datelines';
import type { Publication, Series } from '../shared/publication';
import { seriesFeedUrls, seriesPageUrl } from '../shared/reader-urls';
import { sanitizeStrings } from '../shared/text-safety';
import type { ReportView } from '../paywall/tiers';
import { newestFirst, parseDate, renderLayout } from './pages';

/**
 * `/series/{id}/index.html`: one series' page. Like the archive it shows titles, datelines and summaries, never a
 * body, and badges previews; the views arrive filtered by tiers.ts and the publisher runs the page through the
 * leak guard like every public file.
 */
const templates = {
  page: parseTemplate(seriesTemplate, {}, 'series'),
  updated: parseTemplate(seriesUpdatedTemplate, {}, 'series-updated'),
  list: parseTemplate(archiveListTemplate, {}, 'series-list'),
  item: parseTemplate(seriesItemTemplate, {}, 'series-item'),
  alternates: parseTemplate(seriesAlternatesTemplate, {}, 'series-alternates'),
};

export function renderSeriesPage(
  views: readonly ReportView[],
  series: Series,
  publication: Publication,
  options: { updated: Date },
): string {
  const clean = sanitizeStrings(series);
  const feeds = seriesFeedUrls(publication, clean.id);
  const items = newestFirst(views).map((report) => {
    parseDate(report.dateline); // a PageRenderError naming the value, not a RangeError
    const dateline = shownDateline(report.dateline);
    return renderTemplate(templates.item, {
      url: report.url,
      title: report.title,
      badge: new TrustedHtml(report.access === 'preview' ? subscribersBadgeTemplate : ''),
      publishedIso: dateline.iso,
      publishedHuman: dateline.human,
      summary: report.summary,
    });
  });
  const main = renderTemplate(templates.page, {
    name: clean.name,
    blurb: clean.blurb,
    link: clean.link,
    rssUrl: feeds.rss,
    atomUrl: feeds.atom,
    jsonUrl: feeds.json,
    // An empty series has no change to date.
    updated: new TrustedHtml(
      items.length > 0
        ? renderTemplate(templates.updated, {
            iso: options.updated.toISOString(),
            human: humanDate(options.updated),
          })
        : '',
    ),
    list: new TrustedHtml(
      items.length > 0
        ? renderTemplate(templates.list, { items: new TrustedHtml(items.join('\n')) })
        : seriesEmptyTemplate,
    ),
  });
  const title = `${clean.name} — ${publication.name}`;
  return renderLayout(publication, {
    pageTitle: title,
    ogTitle: clean.name,
    description: clean.blurb,
    canonicalUrl: seriesPageUrl(publication, clean.id),
    ogType: 'website',
    extraHead: renderTemplate(templates.alternates, {
      title,
      rssUrl: feeds.rss,
      atomUrl: feeds.atom,
      jsonUrl: feeds.json,
    }),
    main,
  });
}
