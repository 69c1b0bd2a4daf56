import { describe, expect, it } from 'vitest';
import { renderSeriesPage } from '../../lambdas/core/site/series-page';
import { findSeries, type Series } from '../../lambdas/core/shared/publication';
import { stripXmlIllegal } from '../../lambdas/core/shared/text-safety';
import { SUBSCRIBER_NOTICE } from '../../lambdas/core/paywall/tiers';
import { FIXED_UPDATED, hostilePreview, makeView, releasedOffering, testPublication } from '../fixtures/hostile-views';

const head = (html: string) => html.slice(0, html.indexOf('</head>'));
const main = (html: string) => html.slice(html.indexOf('<main>'), html.indexOf('</main>'));

function configured(id: string): Series {
  const series = findSeries(testPublication, id);
  if (!series) throw new Error(`fixture series ${id} missing`);
  return series;
}

const riverLevels = configured('river-levels');
const older = makeView({
  id: '01JNRIVER00000000000000001',
  slug: 'spring-gauges',
  url: `${testPublication.siteUrl}/reports/spring-gauges/`,
  title: 'Spring gauges',
  summary: 'The spring readings, summarised.',
  publishAt: '2026-01-10T08:00:00Z',
  dateline: '2025-12-30',
  bodyHtml: '<p>BODY-NEVER-ON-SERIES-PAGE</p>',
});
const page = renderSeriesPage([older, releasedOffering], riverLevels, testPublication, { updated: FIXED_UPDATED });

describe('renderSeriesPage', () => {
  it('names the series with its blurb and its external link, escaped', () => {
    expect(page).toContain('<title>River Levels — Tidewater Observatory</title>');
    expect(main(page)).toContain('<h1>River Levels</h1>');
    expect(main(page)).toContain(
      '<p class="standfirst">River Levels reads gauge data &amp; flood notices &lt;daily&gt; from upstream agencies.</p>',
    );
    expect(main(page)).toContain(
      '<a href="https://observatory.example.net/programs/river-levels/">About River Levels</a>',
    );
    expect(page).toContain('<link rel="canonical" href="https://observatory.example.net/series/river-levels/">');
    expect(page).toContain(
      '<meta name="description" content="River Levels reads gauge data &amp; flood notices &lt;daily&gt; from upstream agencies.">',
    );
  });

  it('offers its own feeds for autodiscovery ahead of the main feeds, and as visible links', () => {
    const base = 'https://observatory.example.net/feeds/series/river-levels';
    const alternates = [
      ...head(page).matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">/g),
    ];
    expect(alternates.map((match) => match[3])).toEqual([
      `${base}/rss.xml`,
      `${base}/atom.xml`,
      `${base}/feed.json`,
      'https://observatory.example.net/feeds/rss.xml',
      'https://observatory.example.net/feeds/atom.xml',
      'https://observatory.example.net/feeds/feed.json',
    ]);
    expect(alternates[0]?.[2]).toBe('River Levels — Tidewater Observatory (RSS)');
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) expect(main(page)).toContain(`href="${base}/${file}"`);
  });

  it('lists its reports newest first with title link, dateline and summary, never a body', () => {
    const newer = main(page).indexOf(`<a href="${releasedOffering.url}">Winter floods, reviewed</a>`);
    const old = main(page).indexOf(`<a href="${older.url}">Spring gauges</a>`);
    expect(newer).toBeGreaterThan(0);
    expect(old).toBeGreaterThan(newer);
    expect(page).toContain(
      `<h2><a href="${older.url}">Spring gauges</a></h2>\n<p class="dateline"><time datetime="2025-12-30">30 December 2025</time></p>\n<p class="summary">The spring readings, summarised.</p>`,
    );
    expect(page).not.toContain('BODY-NEVER-ON-SERIES-PAGE');
    expect(page).not.toContain('The whole review, now free.');
    expect(page).toContain('Updated <time datetime="2026-03-10T12:00:00.000Z">10 March 2026</time>');
  });

  it('badges subscriber previews and shows no notice text', () => {
    const cables = renderSeriesPage([hostilePreview], configured('cable-map'), testPublication, {
      updated: FIXED_UPDATED,
    });
    expect(cables).toContain('انقطاع الكابل 🚢 في البحر الأحمر</a> <span class="badge">Subscribers</span></h2>');
    expect(cables).not.toContain('Public part: the first two paragraphs.');
    expect(cables).not.toContain(SUBSCRIBER_NOTICE);
    expect(page.match(/class="badge"/g)).toBeNull();
  });

  it('says so when the series has no report yet, without an update date', () => {
    const empty = renderSeriesPage([], configured('cable-map'), testPublication, { updated: new Date(0) });
    expect(main(empty)).toContain('<p>No reports have been published in this series yet.</p>');
    expect(empty).not.toContain('Updated');
  });

  it('keeps control characters out of a hostile title', () => {
    const hostile = renderSeriesPage(
      [makeView({ title: 'Gauges <script>\u0007 spike' })],
      riverLevels,
      testPublication,
      { updated: FIXED_UPDATED },
    );
    expect(hostile).toContain('>Gauges &lt;script&gt; spike</a>');
    expect(stripXmlIllegal(hostile)).toBe(hostile);
  });
});
