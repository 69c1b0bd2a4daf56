import { describe, expect, it } from 'vitest';
import { buildEditionContent } from '../../lambdas/core/digest/edition-content';
import { renderFeeds } from '../../lambdas/core/site/feeds/render-feeds';
import { renderArchivePage, renderReportPage } from '../../lambdas/core/site/pages';
import { parsePublication } from '../../lambdas/core/shared/publication';
import type { ReportRecord } from '../../lambdas/core/reports/report';
import { publicView } from '../../lambdas/core/paywall/tiers';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import { complimentaryRecord, publication } from '../fixtures/digest-edition';

/**
 * Issue 10, item 2: readers see the dateline (which may be years old); ordering and feed item dates follow
 * go-live, so a report dated 2023 and published today is news in a feed reader rather than buried.
 */
const LIVE = '2026-11-24T09:00:00.000Z';
const dated: ReportRecord = {
  ...complimentaryRecord,
  id: '01KDATED00000000000000000A',
  slug: 'old-survey',
  title: 'The 2023 substation survey',
  publishAt: LIVE,
  liveAt: LIVE,
  dateline: '2023-10-30',
};
const fresh: ReportRecord = {
  ...complimentaryRecord,
  id: '01KFRESH00000000000000000B',
  slug: 'fresh-report',
  title: 'Yesterday at the substation',
  publishAt: '2026-11-23T09:00:00.000Z',
};

describe('pages', () => {
  it('show the dateline on the report page, machine-readable as the calendar day it is', () => {
    const page = renderReportPage(publicView(dated, publication), publication);
    expect(page).toContain('<p class="dateline"><time datetime="2023-10-30">30 October 2023</time>');
    expect(page).not.toContain('24 November 2026');
  });

  it('show the dateline in the archive, which is ordered by go-live', () => {
    const archive = renderArchivePage([publicView(fresh, publication), publicView(dated, publication)], publication, {
      updated: new Date(LIVE),
    });
    expect(archive).toContain('<time datetime="2023-10-30">30 October 2023</time>');
    expect(archive.indexOf('The 2023 substation survey')).toBeLessThan(archive.indexOf('Yesterday at the substation'));
  });
});

describe('feeds', () => {
  const feeds = renderFeeds([publicView(fresh, publication), publicView(dated, publication)], {
    publication,
    title: 'Lantern Desk',
    description: 'Reports',
    selfUrls: { rss: 'https://x.test/rss.xml', atom: 'https://x.test/atom.xml', json: 'https://x.test/feed.json' },
    updated: new Date(LIVE),
  });
  const json = JSON.parse(feeds.json) as {
    items: { id: string; date_published: string; content_html: string }[];
  };

  it('date each item by go-live, newest first, so an old dateline does not bury a new report', () => {
    expect(json.items.map((item) => item.date_published)).toEqual([LIVE, '2026-11-23T09:00:00.000Z']);
    expect(feeds.rss).toContain('<pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate>');
    expect(feeds.atom).toContain('<published>2026-11-24T09:00:00.000Z</published>');
  });

  it('show a dateline that differs from the go-live day at the top of the item, and no line otherwise', () => {
    expect(json.items[0]?.content_html).toMatch(
      /^<p class="dateline">Dated <time datetime="2023-10-30">30 October 2023<\/time><\/p>/,
    );
    expect(json.items[1]?.content_html).not.toContain('class="dateline"');
  });
});

describe('digest mails', () => {
  it('show the dateline in the report block', async () => {
    const views = [publicView(dated, publication)];
    const compiled = await compileEdition(
      buildEditionContent({ id: 'e-dated', date: new Date(LIVE), tier: 'free', views }),
      publication,
    );
    const html = compiled.html.parts.join('');
    expect(html).toMatch(/class="dateline"[^>]*>\s*30 October 2023/);
    expect(compiled.text.parts.join('')).toContain('30 October 2023');
  });

  it('show a plain-date dateline as that day even where the digest time zone is behind UTC', async () => {
    const west = parsePublication({ ...publication, digest: { ...publication.digest, timeZone: 'America/New_York' } });
    const compiled = await compileEdition(
      buildEditionContent({ id: 'e-west', date: new Date(LIVE), tier: 'free', views: [publicView(dated, west)] }),
      west,
    );
    expect(compiled.text.parts.join('')).toContain('30 October 2023');
    expect(compiled.text.parts.join('')).not.toContain('29 October 2023');
  });
});
