import { Feed } from 'feed';
import type { FeedOptions as FeedLibraryOptions, Item } from 'feed';
import { escapeHtml } from '../../shared/escape-html';
import { tagFeedsUrl } from '../../shared/reader-urls';
import type { ReportView } from '../../paywall/tiers';
import { feedItemId, leadImageEnclosure, parseDate, type FeedContext, type FeedEntry } from './items';
import { escapeXml, Slots } from './xml-slots';

/** Atom 1.0, through the `feed` package with every free text in a slot (see xml-slots.ts). */

function atomOptions(context: FeedContext, slots: Slots): FeedLibraryOptions {
  return {
    id: slots.text(context.selfUrls.atom),
    title: slots.text(context.title),
    description: slots.text(context.description),
    link: context.homePageUrl,
    updated: context.updated,
    generator: 'Dispatch',
    feedLinks: { atom: context.selfUrls.atom },
    // Atom requires an author on the feed when an entry has none; reports may have no named authors.
    author: { name: slots.text(context.publicationName), link: context.siteRootUrl },
  };
}

export function renderAtom(entries: readonly FeedEntry[], context: FeedContext): string {
  const slots = new Slots();
  const feed = new Feed(atomOptions(context, slots));
  const tagScheme = tagFeedsUrl(context.publication);
  for (const { view, contentHtml } of entries) {
    const enclosure = leadImageEnclosure(view);
    const item: Item = {
      // feed types Atom title and summary as HTML, so plain text is escaped once for them.
      title: slots.text(escapeHtml(view.title)),
      id: feedItemId(view.id),
      link: view.url,
      date: parseDate(view.updatedAt),
      published: parseDate(view.publishAt),
      description: slots.text(escapeHtml(view.summary)),
      content: slots.text(contentHtml),
      category: view.tags.map((tag) => ({ term: slots.text(tag), scheme: tagScheme })),
      author: view.authors.map((name) => ({ name: slots.text(name) })),
      // feed derives an Atom enclosure's type from the extension (image/jpg, image/svg); we swap in our own link.
      ...(enclosure
        ? { enclosure: { url: enclosure.url, title: slots.element(atomEnclosureLink(enclosure, view)) } }
        : {}),
    };
    feed.addItem(item);
  }
  return slots.fill(feed.atom1());
}

function atomEnclosureLink(enclosure: { url: string; type: string }, view: ReportView): string {
  const href = new URL(enclosure.url).toString();
  const title = view.leadImage ? ` title="${escapeXml(view.leadImage.alt)}"` : '';
  return `<link rel="enclosure" type="${escapeXml(enclosure.type)}" href="${escapeXml(href)}"${title}/>`;
}
