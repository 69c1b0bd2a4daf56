import { describe, expect, it } from 'vitest';
import { renderArchivePage, renderReportPage } from '../../lambdas/core/site/pages';
import { stripXmlIllegal } from '../../lambdas/core/shared/text-safety';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE } from '../../lambdas/core/paywall/tiers';
import {
  FIXED_UPDATED,
  hostileFull,
  hostilePreview,
  hostileViews,
  makeView,
  releasedOffering,
  testPublication,
} from '../fixtures/hostile-views';

const head = (html: string) => html.slice(0, html.indexOf('</head>'));
/** Every `<script` of a page, by its opening tag: only JSON-LD data blocks, which no browser executes. */
const scriptTags = (html: string) => [...html.matchAll(/<script[^>]*>/gi)].map((match) => match[0]);
const structuredDataOf = (html: string): Record<string, unknown> => {
  const json = /<script type="application\/ld\+json">([^<]*)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('No JSON-LD block');
  return JSON.parse(json) as Record<string, unknown>;
};
const metaContent = (html: string, attribute: 'name' | 'property', key: string) =>
  new RegExp(`<meta ${attribute}="${key}" content="([^"]*)">`).exec(html)?.[1];

describe('renderReportPage', () => {
  const clean = makeView({
    title: 'Reservoirs fall for a third week',
    summary: 'Storage is down 4% & still falling.',
    authors: ['Ana Ruiz', 'Ben Ode', 'Chen Li'],
    tags: ['Drought', 'R&D'],
    leadImage: { url: 'https://cdn.example.net/img/dam.png', alt: 'The dam at low water', caption: 'Low water, March' },
    bodyHtml: '<p>Body paragraph with a unique marker BODY-ONLY-7f3.</p>',
  });
  const page = renderReportPage(clean, testPublication);

  it('is a complete English HTML document that needs no JavaScript', () => {
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<title>Reservoirs fall for a third week — Tidewater Observatory</title>');
    expect(scriptTags(page)).toEqual(['<script type="application/ld+json">']);
  });

  it('builds meta description and OpenGraph from the summary, never the body', () => {
    expect(metaContent(page, 'name', 'description')).toBe('Storage is down 4% &amp; still falling.');
    expect(metaContent(page, 'property', 'og:description')).toBe('Storage is down 4% &amp; still falling.');
    expect(metaContent(page, 'property', 'og:title')).toBe('Reservoirs fall for a third week');
    expect(metaContent(page, 'property', 'og:type')).toBe('article');
    expect(metaContent(page, 'property', 'og:url')).toBe(clean.url);
    expect(metaContent(page, 'property', 'og:image')).toBe('https://cdn.example.net/img/dam.png');
    expect(head(page)).not.toContain('BODY-ONLY-7f3');
  });

  it('links the canonical URL and the three main feeds', () => {
    expect(page).toContain(`<link rel="canonical" href="${clean.url}">`);
    expect(page).toContain(
      '<link rel="alternate" type="application/rss+xml" title="Tidewater Observatory (RSS)" href="https://observatory.example.net/feeds/rss.xml">',
    );
    expect(page).toContain(
      'type="application/atom+xml" title="Tidewater Observatory (Atom)" href="https://observatory.example.net/feeds/atom.xml"',
    );
    expect(page).toContain(
      'type="application/feed+json" title="Tidewater Observatory (JSON Feed)" href="https://observatory.example.net/feeds/feed.json"',
    );
  });

  it('shows the dateline as a human date with a machine-readable time, and the authors', () => {
    expect(page).toContain('<time datetime="2026-03-01T08:00:00.000Z">1 March 2026</time>');
    expect(page).toContain('<p class="byline">By Ana Ruiz, Ben Ode and Chen Li</p>');
  });

  it('shows when a later revision corrected the report', () => {
    const corrected = renderReportPage({ ...clean, revision: 2, updatedAt: '2026-03-04T10:00:00Z' }, testPublication);
    expect(corrected).toContain(' · Updated <time datetime="2026-03-04T10:00:00.000Z">4 March 2026</time>');
    expect(page).not.toContain('Updated');
  });

  it('shows the lead image with alt text and caption, and the body', () => {
    expect(page).toContain(
      '<figure class="lead-image"><img src="https://cdn.example.net/img/dam.png" alt="The dam at low water"><figcaption>Low water, March</figcaption></figure>',
    );
    expect(page).toContain(
      '<div class="report-body">\n<p>Body paragraph with a unique marker BODY-ONLY-7f3.</p>\n</div>',
    );
  });

  it('links tags to their feeds', () => {
    expect(page).toContain(
      'href="https://observatory.example.net/feeds/tags/r-d/rss.xml" title="Feed of reports tagged R&amp;D">R&amp;D</a>',
    );
    expect(page).toContain('href="https://observatory.example.net/feeds/tags/drought/rss.xml"');
  });

  it('ends with the series block, linking to the series page, and a footer naming the publication', () => {
    expect(page).toContain(
      '<aside class="series-block"><p><strong><a href="https://observatory.example.net/series/river-levels/">River Levels</a></strong></p><p>River Levels reads gauge data &amp; flood notices &lt;daily&gt; from upstream agencies.</p></aside>',
    );
    expect(page).toMatch(/<footer class="site-footer">\n<p>Tidewater Observatory<\/p>/);
  });

  it('keeps footnotes from the body', () => {
    const withNotes = renderReportPage(hostileFull, testPublication);
    expect(withNotes).toContain('<section class="footnotes">');
    expect(withNotes).toContain('<a href="#fn1" id="fnref1">[1]</a>');
  });

  it('shows a preview with the subscriber notice and a subscribe link', () => {
    const preview = renderReportPage(hostilePreview, testPublication);
    expect(preview).toContain(hostilePreview.bodyHtml);
    expect(preview).toContain(
      `<aside class="subscriber-notice paywalled"><p><em>${SUBSCRIBER_NOTICE}</em> <a class="subscribe-link" href="https://observatory.example.net/join/">Subscribe</a> · <a class="sign-in-link" href="https://observatory.example.net/members/sign-in/?next=%2Fmembers%2Freports%2F${hostilePreview.slug}%2F">Sign in</a></p></aside>`,
    );
  });

  it('marks a preview as not accessible for free, naming the paywalled section, for search engines', () => {
    const preview = renderReportPage(hostilePreview, testPublication);
    expect(structuredDataOf(preview)).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Article',
      headline: hostilePreview.title,
      description: hostilePreview.summary,
      isAccessibleForFree: false,
      hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.paywalled' },
    });
    // The selector names an element of the page: the notice, where the paid section would be.
    expect(preview).toMatch(/<aside class="[^"]*\bpaywalled\b/);
  });

  it('marks a full report as accessible for free, with no paywalled part', () => {
    const data = structuredDataOf(page);
    expect(data).toMatchObject({
      isAccessibleForFree: true,
      headline: clean.title,
      author: clean.authors.map((name) => ({ '@type': 'Person', name })),
    });
    expect(data.hasPart).toBeUndefined();
    expect(structuredDataOf(renderReportPage(releasedOffering, testPublication)).isAccessibleForFree).toBe(true);
  });

  it('carries titles, summaries, dates and authors in the JSON-LD, never body text', () => {
    const data = JSON.stringify(structuredDataOf(page));
    expect(data).not.toContain('BODY-ONLY-7f3');
    expect(Object.keys(structuredDataOf(page)).sort()).toEqual(
      [
        '@context',
        '@type',
        'author',
        'dateModified',
        'datePublished',
        'description',
        'headline',
        'isAccessibleForFree',
        'mainEntityOfPage',
        'publisher',
      ].sort(),
    );
  });

  it('gives a signed-in member a Sign out form and no structured data', () => {
    const member = renderReportPage(clean, testPublication, { signOutPath: '/api/members/logout' });
    expect(member).toContain('<form class="member-bar" method="post" action="/api/members/logout">');
    expect(member).toContain('<button type="submit">Sign out</button>');
    expect(scriptTags(member)).toEqual([]);
    expect(page).not.toContain('member-bar"');
  });

  it('adds no notice to a full report', () => {
    expect(page).not.toContain(SUBSCRIBER_NOTICE);
    expect(renderReportPage(releasedOffering, testPublication)).not.toContain(SUBSCRIBER_NOTICE);
  });

  it('opens a released report with the complimentary-offering banner', () => {
    const released = renderReportPage(releasedOffering, testPublication);
    expect(released).toContain(
      `<p class="offering-banner"><strong>${COMPLIMENTARY_OFFERING_NOTICE} from River Levels.</strong></p>`,
    );
    expect(page).not.toContain(COMPLIMENTARY_OFFERING_NOTICE);
  });

  it('escapes hostile titles, summaries, tags and alt text and drops control characters', () => {
    const hostile = renderReportPage(hostileFull, testPublication);
    // The hostile title's `</script>` cannot close the JSON-LD block: `<`, `>` and `&` are escaped inside it.
    expect(scriptTags(head(hostile))).toEqual(['<script type="application/ld+json">']);
    expect(head(hostile).match(/<\/script>/g)).toHaveLength(1);
    expect(structuredDataOf(hostile).headline).toContain('Gauges <script>alert("t")</script> spike');
    expect(hostile).toContain('<h1>Gauges &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; spike ]]&gt; twice');
    expect(hostile).toContain('alt="Gauge at &quot;Mill&quot; &lt;weir&gt;"');
    expect(hostile).toContain('>Tech &lt;AI&gt;</a>');
    expect(hostile).toContain('>الطاقة المتجددة</a>');
    expect(stripXmlIllegal(hostile)).toBe(hostile);
  });

  it('renders Arabic and emoji as they are', () => {
    expect(renderReportPage(hostilePreview, testPublication)).toContain('<h1>انقطاع الكابل 🚢 في البحر الأحمر</h1>');
  });
});

describe('renderArchivePage', () => {
  const archive = renderArchivePage([...hostileViews], testPublication, { updated: FIXED_UPDATED });

  it('lists reports newest first whatever order they arrive in', () => {
    const order = [hostilePreview, hostileFull, releasedOffering].map((view) =>
      archive.indexOf(`<a href="${view.url}">`),
    );
    expect(order.every((position) => position > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('gives each report its title link, dateline, series and summary', () => {
    expect(archive).toContain(
      `<h2><a href="${releasedOffering.url}">Winter floods, reviewed</a></h2>\n<p class="dateline"><time datetime="2026-02-01T08:00:00.000Z">1 February 2026</time> · <a href="https://observatory.example.net/series/river-levels/">River Levels</a></p>\n<p class="summary">What the winter floods showed.</p>`,
    );
  });

  it('badges preview-only reports for subscribers, and only them', () => {
    expect(archive).toContain(`${hostilePreview.title}</a> <span class="badge">Subscribers</span></h2>`);
    expect(archive.match(/class="badge"/g)).toHaveLength(1);
  });

  it('shows no body text', () => {
    expect(archive).not.toContain('Public part: the first two paragraphs.');
    expect(archive).not.toContain('The whole review, now free.');
  });

  it('is a website page with feeds, canonical URL and the update time', () => {
    expect(metaContent(archive, 'property', 'og:type')).toBe('website');
    expect(archive).toContain('<link rel="canonical" href="https://observatory.example.net/">');
    expect(archive).toContain('href="https://observatory.example.net/feeds/rss.xml"');
    expect(archive).toContain('Updated <time datetime="2026-03-10T12:00:00.000Z">10 March 2026</time>');
    expect(metaContent(archive, 'name', 'description')).toBe(
      'Reports from Tidewater Observatory: River Levels and Cable Map.',
    );
  });

  it('says so when nothing is published', () => {
    const empty = renderArchivePage([], testPublication, { updated: FIXED_UPDATED });
    expect(empty).toContain('<p>No reports have been published yet.</p>');
  });
});
