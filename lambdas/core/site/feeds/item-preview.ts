import { ConflictError } from '../../shared/errors';
import type { Publication } from '../../shared/publication';
import type { ReaderTier } from '../../shared/reader-tier';
import { mainFeedUrls, PREVIEW_TOKEN } from '../../shared/reader-urls';
import { renderGuarded } from '../../paywall/leak-guard';
import { publicBoilerplate, publicView, stubView } from '../../paywall/tiers';
import type { ReportDraft } from '../../reports/report-draft';
import { renderPrivateFeeds } from '../private-feeds';
import { FeedRenderError } from './items';
import { mainFeedTitles, renderFeeds, type RenderedFeeds } from './render-feeds';

/**
 * A draft report's feed item as each reader tier's feed would carry it, for the editor's preview: the free one
 * from the public feeds' renderer through the leak guard (as the feed publisher writes them), the paid one from
 * the private feeds' renderer. Each is rendered as a whole one-item document and the item cut out of it, so what
 * the editor sees is byte for byte what a feed reader gets.
 *
 * Two views of the item: `contentHtml`, what a feed reader shows as the item's body (the three formats share it,
 * `itemContentHtml`), and `rss`, the RSS 2.0 `<item>` with its metadata (title, link, guid, dates, summary,
 * categories, enclosure, author). Atom and JSON Feed carry the same fields and the same content in another
 * syntax; sending them too would triple an answer the console asks for as the editor types.
 */
export interface FeedItemPreview {
  contentHtml: string;
  rss: string;
}

export async function previewFeedItems(
  draft: Pick<ReportDraft, 'record' | 'paid'>,
  publication: Publication,
): Promise<Record<ReaderTier, FeedItemPreview>> {
  const { record, paid } = draft;
  const updated = new Date(record.updatedAt);
  const render = (views: Parameters<typeof renderFeeds>[0]): RenderedFeeds =>
    renderFeeds(views, { publication, ...mainFeedTitles(publication), selfUrls: mainFeedUrls(publication), updated });
  const free = await renderGuarded({
    views: [publicView(record, publication)],
    covered: [record],
    render,
    text: (feeds) => [feeds.rss, feeds.atom, feeds.json].join('\n'),
    stub: stubView,
    renderFrame: () => render([]),
    boilerplate: publicBoilerplate(publication),
  });
  // Only a feed whose frame leaks ends here (a renderer bug): the publisher would withhold the file too.
  if (!free.ok) throw new ConflictError('leak_blocked', 'The leak scan found subscriber-only text in the public feed');
  const paidParts = new Map(paid && record.paidRef ? [[record.paidRef, paid]] : []);
  const { documents } = renderPrivateFeeds([record], paidParts, publication, PREVIEW_TOKEN);
  return {
    free: itemOf(free.output.rss, free.output.json),
    paid: itemOf(documents['rss.xml'], documents['feed.json']),
  };
}

/** The one item of a one-item feed: the RSS `<item>` element as written, and the JSON Feed item's content. */
function itemOf(rss: string, json: string): FeedItemPreview {
  // One item only, so its element runs from the first opening tag to the last closing one, whatever it holds.
  const start = rss.indexOf('<item>');
  const end = rss.lastIndexOf('</item>');
  const parsed = JSON.parse(json) as { items?: { content_html?: unknown }[] };
  const contentHtml = parsed.items?.[0]?.content_html;
  if (start < 0 || end < start || typeof contentHtml !== 'string') {
    throw new FeedRenderError('The one-item feed has no item');
  }
  return { contentHtml, rss: dedent(rss.slice(start, end + '</item>'.length)) };
}

/**
 * The item as if it stood alone: the indentation the channel gave its lines removed. Lines inside a CDATA section
 * are report text (a code block keeps its leading spaces) and stay exactly as written.
 */
function dedent(element: string): string {
  const lines = element.split('\n');
  const indent = /^ */.exec(lines.at(-1) ?? '')?.[0] ?? '';
  let inCdata = false;
  return lines
    .map((line) => {
      const shown = !inCdata && line.startsWith(indent) ? line.slice(indent.length) : line;
      const opened = line.lastIndexOf('<![CDATA[');
      const closed = line.lastIndexOf(']]>');
      inCdata = opened >= 0 || closed >= 0 ? opened > closed : inCdata;
      return shown;
    })
    .join('\n');
}
