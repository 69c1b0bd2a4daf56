import { Feed } from 'feed';
import type { FeedOptions as FeedLibraryOptions, Item } from 'feed';
import { escapeHtml } from '../../shared/escape-html';
import { tagFeedUrls } from '../../shared/reader-urls';
import { feedItemId, leadImageEnclosure, parseDate, type FeedContext, type FeedEntry } from './items';
import { Slots } from './xml-slots';

/** RSS 2.0, through the `feed` package with every free text in a slot (see xml-slots.ts). */

/** Only what each format writes goes through a slot, because every slot must come back (see {@link Slots}). */
function rssOptions(context: FeedContext, slots: Slots): FeedLibraryOptions {
  return {
    title: slots.text(context.title),
    description: slots.text(context.description),
    link: context.homePageUrl,
    language: 'en',
    updated: context.updated,
    generator: 'Dispatch',
    feedLinks: { rss: context.selfUrls.rss },
  };
}

export function renderRss(entries: readonly FeedEntry[], context: FeedContext): string {
  const slots = new Slots();
  const feed = new Feed(rssOptions(context, slots));
  for (const { view, contentHtml } of entries) {
    const enclosure = leadImageEnclosure(view);
    const item: Item = {
      title: slots.text(view.title),
      id: feedItemId(view.id),
      link: view.url,
      date: parseDate(view.updatedAt),
      published: parseDate(view.publishAt),
      // RSS readers treat description as HTML, so the plain-text summary is escaped once for them.
      description: slots.text(escapeHtml(view.summary)),
      content: slots.text(contentHtml),
      category: view.tags.map((tag) => ({
        name: slots.text(tag),
        domain: slots.text(tagFeedUrls(context.publication, tag).rss),
      })),
      ...(enclosure ? { enclosure: { url: enclosure.url, type: enclosure.type, length: 0 } } : {}),
      ...(view.authors.length > 0
        ? { extensions: [{ name: 'dc:creator', objects: { _text: slots.text(view.authors.join(', ')) } }] }
        : {}),
    };
    feed.addItem(item);
  }
  return slots.fill(feed.rss2());
}
