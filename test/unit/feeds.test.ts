import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feedContentTypes } from '../../lambdas/core/site/feeds/feed-files';
import { feedItemId, imageMimeType, itemContentHtml } from '../../lambdas/core/site/feeds/items';
import { mainFeedUrls, seriesPageUrl, tagFeedUrls } from '../../lambdas/core/shared/reader-urls';
import { renderFeeds } from '../../lambdas/core/site/feeds/render-feeds';
import { tagSlug } from '../../lambdas/core/reports/tags';
import type { FeedOptions } from '../../lambdas/core/site/feeds/render-feeds';
import { stripXmlIllegal } from '../../lambdas/core/shared/text-safety';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE } from '../../lambdas/core/paywall/tiers';
import type { ReportView } from '../../lambdas/core/paywall/tiers';
import {
  FIXED_UPDATED,
  hostileFull,
  hostilePreview,
  hostileViews,
  makeView,
  releasedOffering,
  testPublication,
} from '../fixtures/hostile-views';
import { xmlProblems } from '../fixtures/strict-xml';
import { attribute, child, childrenNamed, decodeHtml, findAll, parseXml, textOf } from '../fixtures/xml-tree';

const options: FeedOptions = {
  publication: testPublication,
  title: 'Tidewater Observatory',
  description: 'Reports from Tidewater Observatory',
  selfUrls: mainFeedUrls(testPublication),
  updated: FIXED_UPDATED,
};

interface JsonFeed {
  version: string;
  title: string;
  feed_url: string;
  home_page_url: string;
  authors: { name: string; url?: string }[];
  author?: unknown;
  items: {
    id: string;
    url: string;
    title: string;
    content_html: string;
    summary: string;
    date_published: string;
    date_modified: string;
    tags: string[];
    image?: string;
    authors?: { name: string }[];
    author?: unknown;
  }[];
}

function render(views: readonly ReportView[] = hostileViews, overrides: Partial<FeedOptions> = {}) {
  const feeds = renderFeeds([...views], { ...options, ...overrides });
  const json = JSON.parse(feeds.json) as JsonFeed;
  const rssItems = findAll(parseXml(feeds.rss), 'item');
  const atomEntries = findAll(parseXml(feeds.atom), 'entry');
  return { ...feeds, jsonFeed: json, rssItems, atomEntries };
}

function byId<T extends { id: string }>(items: readonly T[], view: ReportView): T {
  const found = items.find((item) => item.id === feedItemId(view.id));
  if (!found) throw new Error(`no item for ${view.id}`);
  return found;
}

function rssItemFor(items: ReturnType<typeof render>['rssItems'], view: ReportView) {
  const found = items.find((item) => textOf(child(item, 'guid')) === feedItemId(view.id));
  if (!found) throw new Error(`no RSS item for ${view.id}`);
  return found;
}

function atomEntryFor(entries: ReturnType<typeof render>['atomEntries'], view: ReportView) {
  const found = entries.find((entry) => textOf(child(entry, 'id')) === feedItemId(view.id));
  if (!found) throw new Error(`no Atom entry for ${view.id}`);
  return found;
}

const seriesLine = (view: ReportView) =>
  `<a href="${seriesPageUrl(testPublication, view.series.id)}">${view.series.name}</a>`;

describe('renderFeeds: well-formed under hostile text', () => {
  it('writes strictly well-formed RSS and Atom for titles, bodies and tags full of control characters, ]]> and markup', () => {
    const { rss, atom } = render();
    expect(xmlProblems(rss)).toEqual([]);
    expect(xmlProblems(atom)).toEqual([]);
  });

  it('writes a JSON Feed that parses and holds no control characters', () => {
    const { json } = render();
    expect(() => JSON.parse(json) as unknown).not.toThrow();
    // JSON.stringify writes control characters as \u00XX, or \b and \f.
    expect(json).not.toMatch(/\\u00[01][0-9a-f]|\\[bf]/i);
  });

  it('keeps every hostile title intact apart from the control characters, in all three formats', () => {
    const { rssItems, atomEntries, jsonFeed } = render();
    const expected = stripXmlIllegal(hostileFull.title);
    expect(expected).toContain(']]> twice ]]>');
    expect(textOf(child(rssItemFor(rssItems, hostileFull), 'title'))).toBe(expected);
    // Atom titles are typed html, so plain text arrives escaped once.
    expect(decodeHtml(textOf(child(atomEntryFor(atomEntries, hostileFull), 'title')))).toBe(expected);
    expect(byId(jsonFeed.items, hostileFull).title).toBe(expected);
    expect(byId(jsonFeed.items, hostilePreview).title).toBe('انقطاع الكابل 🚢 في البحر الأحمر');
  });

  it('keeps a body with several ]]> inside one readable CDATA value', () => {
    const { rssItems, atomEntries } = render();
    const rssContent = textOf(child(rssItemFor(rssItems, hostileFull), 'content:encoded'));
    const atomContent = textOf(child(atomEntryFor(atomEntries, hostileFull), 'content'));
    expect(rssContent).toContain('Levels rose ]]> then ]]]]> fell.');
    expect(atomContent).toBe(rssContent);
  });

  it('writes tags with <, & and quotes as categories that read back unchanged', () => {
    const { rssItems, atomEntries, jsonFeed } = render();
    const tags = hostileFull.tags.map(stripXmlIllegal);
    expect(childrenNamed(rssItemFor(rssItems, hostileFull), 'category').map(textOf)).toEqual(tags);
    expect(
      childrenNamed(atomEntryFor(atomEntries, hostileFull), 'category').map((category) => attribute(category, 'term')),
    ).toEqual(tags);
    expect(byId(jsonFeed.items, hostileFull).tags).toEqual(tags);
  });

  it('links each RSS category to its tag feed', () => {
    const { rssItems } = render();
    const domains = childrenNamed(rssItemFor(rssItems, hostileFull), 'category').map((c) => attribute(c, 'domain'));
    expect(domains[1]).toBe('https://observatory.example.net/feeds/tags/r-d/rss.xml');
    expect(domains[0]).toBe(tagFeedUrls(testPublication, 'Tech <AI>').rss);
  });

  it('stays well-formed for any text in any field (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(text, text, text, fc.array(text, { maxLength: 3 }), text, (title, summary, body, tags, author) => {
        const view = makeView({ title, summary, bodyHtml: body, tags, authors: [author] });
        const feeds = renderFeeds([view], { ...options, title: `Feed ${title}`, description: summary });
        expect(xmlProblems(feeds.rss)).toEqual([]);
        expect(xmlProblems(feeds.atom)).toEqual([]);
        expect((JSON.parse(feeds.json) as JsonFeed).items.length).toBe(1);
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});

describe('renderFeeds: tier rules', () => {
  it('gives a preview item exactly its public part, the subscriber notice with links, and the series block', () => {
    const { jsonFeed } = render();
    expect(byId(jsonFeed.items, hostilePreview).content_html).toBe(
      [
        hostilePreview.bodyHtml,
        `<p class="subscriber-notice"><em>${SUBSCRIBER_NOTICE}</em> <a href="${testPublication.subscribeUrl}">Subscribe</a> · <a href="${hostilePreview.url}">Read the preview</a></p>`,
        `<aside class="series-block"><p><strong>${seriesLine(hostilePreview)}</strong></p><p>${hostilePreview.series.blurb}</p></aside>`,
      ].join('\n'),
    );
  });

  it('puts the same preview content in RSS and Atom as in the JSON Feed', () => {
    const { rssItems, atomEntries, jsonFeed } = render();
    const expected = byId(jsonFeed.items, hostilePreview).content_html;
    expect(textOf(child(rssItemFor(rssItems, hostilePreview), 'content:encoded'))).toBe(expected);
    expect(textOf(child(atomEntryFor(atomEntries, hostilePreview), 'content'))).toBe(expected);
  });

  it('uses the subscribe URL it is given', () => {
    const { jsonFeed } = render([hostilePreview], { subscribeUrl: 'https://observatory.example.net/offer/' });
    expect(jsonFeed.items[0]?.content_html).toContain('<a href="https://observatory.example.net/offer/">Subscribe</a>');
  });

  it('adds no notice to a full item', () => {
    const { jsonFeed } = render();
    expect(byId(jsonFeed.items, hostileFull).content_html).not.toContain(SUBSCRIBER_NOTICE);
    expect(byId(jsonFeed.items, releasedOffering).content_html).not.toContain(SUBSCRIBER_NOTICE);
  });

  it('opens a released report with the complimentary-offering banner naming its series', () => {
    const { jsonFeed } = render();
    expect(byId(jsonFeed.items, releasedOffering).content_html).toMatch(
      new RegExp(
        `^<p class="offering-banner"><strong>${COMPLIMENTARY_OFFERING_NOTICE} from River Levels\\.</strong></p>\\n`,
      ),
    );
    expect(byId(jsonFeed.items, hostileFull).content_html).not.toContain(COMPLIMENTARY_OFFERING_NOTICE);
  });

  it('ends every item with its series block, escaping the blurb', () => {
    const { jsonFeed } = render();
    for (const item of jsonFeed.items) expect(item.content_html).toMatch(/<aside class="series-block">.*<\/aside>$/);
    expect(byId(jsonFeed.items, hostileFull).content_html).toContain('gauge data &amp; flood notices &lt;daily&gt;');
  });

  it('uses the summary alone for description and summary', () => {
    const { rssItems, atomEntries, jsonFeed } = render();
    const summary = stripXmlIllegal(hostileFull.summary);
    expect(decodeHtml(textOf(child(rssItemFor(rssItems, hostileFull), 'description')))).toBe(summary);
    expect(decodeHtml(textOf(child(atomEntryFor(atomEntries, hostileFull), 'summary')))).toBe(summary);
    expect(byId(jsonFeed.items, hostileFull).summary).toBe(summary);
  });

  it('renders nothing but what it is given: a view with no paid text yields no paid text', () => {
    const view = makeView({ access: 'preview', tier: 'subscriber', bodyHtml: '<p>Teaser only.</p>' });
    const content = itemContentHtml(view, testPublication.subscribeUrl, testPublication);
    const withoutFraming = content
      .replace(/<p class="subscriber-notice">.*?<\/p>/s, '')
      .replace(/<aside class="series-block">.*?<\/aside>/s, '')
      .trim();
    expect(withoutFraming).toBe('<p>Teaser only.</p>');
  });
});

describe('renderFeeds: format details', () => {
  it('dates RSS items in RFC 822 and the channel with the given update time', () => {
    const { rss, rssItems } = render();
    const rfc822 =
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
    for (const item of rssItems) expect(textOf(child(item, 'pubDate'))).toMatch(rfc822);
    expect(textOf(child(rssItemFor(rssItems, hostilePreview), 'pubDate'))).toBe('Sun, 08 Mar 2026 07:00:00 GMT');
    expect(textOf(findAll(parseXml(rss), 'lastBuildDate')[0] ?? {})).toBe('Tue, 10 Mar 2026 12:00:00 GMT');
  });

  it('dates Atom entries and JSON items with published and updated times', () => {
    const { atomEntries, jsonFeed } = render();
    const entry = atomEntryFor(atomEntries, hostileFull);
    expect(textOf(child(entry, 'published'))).toBe('2026-03-05T09:30:00.000Z');
    expect(textOf(child(entry, 'updated'))).toBe('2026-03-06T10:00:00.000Z');
    expect(byId(jsonFeed.items, hostileFull)).toMatchObject({
      date_published: '2026-03-05T09:30:00.000Z',
      date_modified: '2026-03-06T10:00:00.000Z',
    });
  });

  it('names its own URL as self in every format', () => {
    const urls = tagFeedUrls(testPublication, 'R&D');
    const { rss, atom, jsonFeed } = render([hostilePreview], { selfUrls: urls });
    const rssSelf = findAll(parseXml(rss), 'atom:link').find((link) => attribute(link, 'rel') === 'self');
    expect(rssSelf && attribute(rssSelf, 'href')).toBe('https://observatory.example.net/feeds/tags/r-d/rss.xml');
    expect(rssSelf && attribute(rssSelf, 'type')).toBe('application/rss+xml');
    expect(rss).toContain('xmlns:atom="http://www.w3.org/2005/Atom"');
    const atomFeed = child(parseXml(atom), 'feed');
    const atomSelf = childrenNamed(atomFeed, 'link').find((link) => attribute(link, 'rel') === 'self');
    expect(atomSelf && attribute(atomSelf, 'href')).toBe(urls.atom);
    expect(jsonFeed.feed_url).toBe(urls.json);
  });

  it('keeps item ids when a correction changes title, slug and revision', () => {
    const before = render([hostileFull]);
    const corrected = {
      ...hostileFull,
      title: 'Gauges spike: corrected',
      slug: 'gauges-spike-corrected',
      url: `${testPublication.siteUrl}/reports/gauges-spike-corrected/`,
      revision: 3,
      updatedAt: '2026-03-07T10:00:00Z',
    };
    const after = render([corrected]);
    const ids = (feeds: ReturnType<typeof render>) => [
      textOf(child(feeds.rssItems[0] ?? {}, 'guid')),
      textOf(child(feeds.atomEntries[0] ?? {}, 'id')),
      feeds.jsonFeed.items[0]?.id,
    ];
    expect(ids(after)).toEqual(ids(before));
    expect(ids(before)).toEqual(Array(3).fill('urn:dispatch:report:01JNHOSTILE000000000000001'));
    expect(attribute(child(before.rssItems[0] ?? {}, 'guid'), 'isPermaLink')).toBe('false');
  });

  it('offers the lead image as an enclosure with its real MIME type', () => {
    const { rssItems, atomEntries, jsonFeed } = render();
    const rssEnclosure = child(rssItemFor(rssItems, hostileFull), 'enclosure');
    expect(attribute(rssEnclosure, 'type')).toBe('image/jpeg');
    expect(attribute(rssEnclosure, 'url')).toBe('https://cdn.example.net/img/gauge%20photo.JPG?size=large&v=2');
    expect(attribute(child(rssItemFor(rssItems, hostilePreview), 'enclosure'), 'type')).toBe('image/svg+xml');
    const atomEnclosure = childrenNamed(atomEntryFor(atomEntries, hostilePreview), 'link').find(
      (link) => attribute(link, 'rel') === 'enclosure',
    );
    expect(atomEnclosure && attribute(atomEnclosure, 'type')).toBe('image/svg+xml');
    expect(atomEnclosure && attribute(atomEnclosure, 'href')).toBe('https://cdn.example.net/img/map.svg');
    expect(byId(jsonFeed.items, hostilePreview).image).toBe('https://cdn.example.net/img/map.svg');
  });

  it('offers no enclosure when the image type is unknown', () => {
    const { rssItems, atomEntries } = render();
    expect(childrenNamed(rssItemFor(rssItems, releasedOffering), 'enclosure')).toEqual([]);
    const links = childrenNamed(atomEntryFor(atomEntries, releasedOffering), 'link');
    expect(links.map((link) => attribute(link, 'rel'))).not.toContain('enclosure');
  });

  it('writes JSON Feed 1.1: version, authors arrays, string ids, content_html', () => {
    const { jsonFeed } = render();
    expect(jsonFeed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(jsonFeed.title).toBe('Tidewater Observatory');
    expect(jsonFeed.authors).toEqual([{ name: 'Tidewater Observatory', url: 'https://observatory.example.net/' }]);
    expect(jsonFeed).not.toHaveProperty('author');
    for (const item of jsonFeed.items) {
      expect(typeof item.id).toBe('string');
      expect(typeof item.content_html).toBe('string');
      expect(item).not.toHaveProperty('author');
    }
    expect(byId(jsonFeed.items, hostileFull).authors).toEqual([{ name: 'Mara Öz & Co' }, { name: 'Lee <Kim>' }]);
  });

  it('lists newest first and no more than feedLength items', () => {
    const many = Array.from({ length: 25 }, (_, day) =>
      makeView({
        id: `01JNMANY${String(day).padStart(18, '0')}`,
        publishAt: `2026-01-${String(day + 1).padStart(2, '0')}T00:00:00Z`,
      }),
    );
    const { jsonFeed } = render(many);
    expect(jsonFeed.items).toHaveLength(testPublication.feedLength);
    expect(jsonFeed.items[0]?.date_published).toBe('2026-01-25T00:00:00.000Z');
    expect(jsonFeed.items.at(-1)?.date_published).toBe('2026-01-06T00:00:00.000Z');
  });

  it('renders an empty feed', () => {
    const { rss, atom, jsonFeed } = render([]);
    expect(xmlProblems(rss)).toEqual([]);
    expect(xmlProblems(atom)).toEqual([]);
    expect(jsonFeed.items).toEqual([]);
  });

  it('is deterministic', () => {
    expect(renderFeeds([...hostileViews], options)).toEqual(renderFeeds([...hostileViews], options));
  });
});

describe('imageMimeType', () => {
  it.each([
    ['https://x.example/a.jpg', 'image/jpeg'],
    ['https://x.example/a.JPEG', 'image/jpeg'],
    ['https://x.example/a.png?v=1', 'image/png'],
    ['https://x.example/a.gif', 'image/gif'],
    ['https://x.example/a.webp', 'image/webp'],
    ['https://x.example/a.avif', 'image/avif'],
    ['https://x.example/a.svg#top', 'image/svg+xml'],
    ['https://x.example/a.tiff', undefined],
    ['https://x.example/photo', undefined],
    ['https://x.example/dir.png/photo', undefined],
  ])('%s → %s', (url, type) => {
    expect(imageMimeType(url)).toBe(type);
  });
});

describe('tagSlug', () => {
  it.each([
    ['R&D', 'r-d'],
    ['Tech <AI>', 'tech-ai'],
    ['"quoted"', 'quoted'],
    ['Café Società', 'cafe-societa'],
    ['Straße', 'strasse'],
    ['  Energy   Policy  ', 'energy-policy'],
    ['İstanbul', 'istanbul'],
  ])('%s → %s', (tag, slug) => {
    expect(tagSlug(tag)).toBe(slug);
  });

  it('gives Arabic tags a stable, non-empty ASCII slug, distinct per tag', () => {
    const slug = tagSlug('الطاقة المتجددة');
    expect(slug).toMatch(/^tag-[0-9a-f]{8}$/);
    expect(tagSlug('الطاقة المتجددة')).toBe(slug);
    expect(tagSlug('الطاقة')).not.toBe(slug);
  });

  it('keeps the ASCII part and adds a hash when a tag mixes scripts', () => {
    expect(tagSlug('AI في الطاقة')).toMatch(/^ai-[0-9a-f]{8}$/);
    expect(tagSlug('AI في الطاقة')).not.toBe(tagSlug('AI'));
  });

  it('gives emoji-only tags a slug', () => {
    expect(tagSlug('🔥')).toMatch(/^tag-[0-9a-f]{8}$/);
    expect(tagSlug('🌊 Floods')).toBe('floods');
  });

  it('ignores case and control characters, so raw and cleaned tags share a feed', () => {
    expect(tagSlug('r&d')).toBe(tagSlug('R&D'));
    expect(tagSlug('R\u0001D')).toBe(tagSlug(stripXmlIllegal('R\u0001D')));
  });

  it('is always a non-empty URL-safe path segment (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (tag) => {
        expect(tagSlug(tag)).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('feed URLs and content types', () => {
  it('builds main and tag feed URLs under the site', () => {
    expect(mainFeedUrls(testPublication)).toEqual({
      rss: 'https://observatory.example.net/feeds/rss.xml',
      atom: 'https://observatory.example.net/feeds/atom.xml',
      json: 'https://observatory.example.net/feeds/feed.json',
    });
    expect(tagFeedUrls(testPublication, 'Tech <AI>').atom).toBe(
      'https://observatory.example.net/feeds/tags/tech-ai/atom.xml',
    );
  });

  it('maps each feed file to its content type', () => {
    expect(feedContentTypes).toEqual({
      'rss.xml': 'application/rss+xml; charset=utf-8',
      'atom.xml': 'application/atom+xml; charset=utf-8',
      'feed.json': 'application/feed+json; charset=utf-8',
    });
  });
});
