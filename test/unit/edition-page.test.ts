import { describe, expect, it } from 'vitest';
import {
  EDITIONS_INDEX_KEY,
  editionPageKey,
  EditionPagePublisher,
  type EditionPageEntry,
  type EditionPageFiles,
  type EditionPageIndex,
  type EditionPageLeak,
} from '../../lambdas/core/digest/edition-pages';
import { buildEditionContent, editionViews } from '../../lambdas/core/digest/edition-content';
import { MEMBER_API_PATHS } from '../../lambdas/core/members/member-pages';
import { fingerprintSubscriberPart } from '../../lambdas/core/paywall/fingerprints';
import { SUBSCRIBER_NOTICE } from '../../lambdas/core/paywall/tiers';
import { renderEditionPage, renderEditionsIndex } from '../../lambdas/core/site/edition-page';
import {
  complimentaryRecord,
  EDITION_DATE,
  fixtureEdition,
  publication,
  releasedRecord,
  SECRET_FOOTNOTE,
  SECRET_PARAGRAPH,
  subscriberPaidPart,
  subscriberRecord,
} from '../fixtures/digest-edition';

const main = (html: string) => html.slice(html.indexOf('<main>'), html.indexOf('</main>'));
const free = fixtureEdition('free');
// As the planner builds it: subscriber reports link to their member pages.
const paid = buildEditionContent({
  id: free.id,
  date: EDITION_DATE,
  tier: 'paid',
  views: editionViews(
    [complimentaryRecord, subscriberRecord, releasedRecord],
    new Map([[subscriberRecord.paidRef ?? '', subscriberPaidPart]]),
    'paid',
    publication,
  ),
});
const views = (tier: 'free' | 'paid') => {
  const content = tier === 'free' ? free : paid;
  return [...content.complimentary, ...content.subscriberOnly];
};
const page = (tier: 'free' | 'paid') =>
  renderEditionPage(
    { id: 'edition-2026-11-23', date: EDITION_DATE, tier, subject: 'Lantern Desk digest', views: views(tier) },
    publication,
  );

describe('renderEditionPage', () => {
  it('free page: the complimentary text, the preview of a subscriber report with the notice, no paid text', () => {
    const html = main(page('free'));
    expect(html).toContain('Operators now publish logs every hour.');
    expect(html).toContain('The filings arrived on a Friday.');
    expect(html).toContain(SUBSCRIBER_NOTICE);
    expect(html).toContain(`href="${publication.subscribeUrl.replaceAll('&', '&amp;')}"`);
    expect(html).toContain('/members/sign-in/?next=%2Fmembers%2Feditions%2Fedition-2026-11-23%2F');
    expect(html).not.toContain(SECRET_PARAGRAPH);
    expect(html).not.toContain(SECRET_FOOTNOTE);
    // Titles link to the public report pages; the title is escaped.
    expect(html).toContain('href="https://lantern.example.net/reports/tariff-dispute/"');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
    expect(page('free')).toContain(
      '<link rel="canonical" href="https://lantern.example.net/editions/edition-2026-11-23/">',
    );
  });

  it('paid page: the full text of every report, member links, no subscriber notice, a sign-out form', () => {
    const html = page('paid');
    expect(main(html)).toContain(SECRET_PARAGRAPH);
    expect(main(html)).toContain(SECRET_FOOTNOTE);
    expect(main(html)).not.toContain(SUBSCRIBER_NOTICE);
    expect(main(html)).toContain('href="https://lantern.example.net/members/reports/tariff-dispute/"');
    expect(html).toContain(
      '<link rel="canonical" href="https://lantern.example.net/members/editions/edition-2026-11-23/">',
    );
  });

  it('lists the reports newest first in the sections of the mail', () => {
    const html = main(page('free'));
    expect(html.indexOf('Free to read')).toBeLessThan(html.indexOf(complimentaryRecord.title));
    expect(html.indexOf('For subscribers')).toBeLessThan(html.indexOf('The filings arrived on a Friday.'));
    expect(html).toContain(releasedRecord.title);
  });
});

describe('renderEditionsIndex', () => {
  const entries: EditionPageEntry[] = [
    { id: '01KAAAAAAAAAAAAAAAAAAAAAB1', date: '2026-11-09T07:00:00.000Z', subject: 'Older <digest>' },
    { id: '01KAAAAAAAAAAAAAAAAAAAAAB3', date: '2026-11-23T07:00:00.000Z', subject: 'Newest digest' },
    { id: '01KAAAAAAAAAAAAAAAAAAAAAB2', date: '2026-11-16T07:00:00.000Z', subject: 'Middle digest' },
  ];

  it('lists the editions newest first, each linking to its page, subjects escaped', () => {
    const html = main(renderEditionsIndex(entries, publication));
    const newest = html.indexOf('Newest digest');
    const middle = html.indexOf('Middle digest');
    const older = html.indexOf('Older &lt;digest&gt;');
    expect(newest).toBeGreaterThan(-1);
    expect(newest).toBeLessThan(middle);
    expect(middle).toBeLessThan(older);
    expect(html).toContain('href="https://lantern.example.net/editions/01KAAAAAAAAAAAAAAAAAAAAAB3/"');
    expect(html).toContain('<time datetime="2026-11-23T07:00:00.000Z">');
  });

  it('says so when no edition has a page yet', () => {
    expect(main(renderEditionsIndex([], publication))).toContain('No edition has been sent yet.');
  });
});

class MemoryFiles implements EditionPageFiles {
  readonly public = new Map<string, string>();
  readonly paid = new Map<string, string>();
  async putPublic(key: string, html: string): Promise<void> {
    this.public.set(key, html);
  }
  async putPaid(editionId: string, html: string): Promise<void> {
    this.paid.set(editionId, html);
  }
}

class MemoryIndex implements EditionPageIndex {
  readonly entries = new Map<string, EditionPageEntry>();
  async recordPage(entry: EditionPageEntry): Promise<void> {
    this.entries.set(entry.id, entry);
  }
  async latestPages(limit: number): Promise<EditionPageEntry[]> {
    return [...this.entries.values()].sort((a, b) => b.date.localeCompare(a.date)).slice(0, limit);
  }
}

describe('EditionPagePublisher', () => {
  const fingerprinted = { ...subscriberRecord, fingerprints: fingerprintSubscriberPart(SECRET_PARAGRAPH, '') };
  const reports = [complimentaryRecord, fingerprinted, releasedRecord];
  const setup = () => {
    const files = new MemoryFiles();
    const index = new MemoryIndex();
    const leaks: EditionPageLeak[] = [];
    return {
      files,
      index,
      leaks,
      publisher: new EditionPagePublisher(files, index, publication, (l) => leaks.push(l)),
    };
  };

  it('writes the free page, the paid page and the index, and a re-publish writes the same', async () => {
    const { files, index, leaks, publisher } = setup();
    await publisher.publish({ free, paid, reports });
    const first = new Map(files.public);
    expect([...files.public.keys()].sort()).toEqual([EDITIONS_INDEX_KEY, editionPageKey(free.id)].sort());
    expect(files.public.get(editionPageKey(free.id))).not.toContain(SECRET_PARAGRAPH);
    expect(files.paid.get(paid.id)).toContain(SECRET_PARAGRAPH);
    expect(files.paid.get(paid.id)).toContain(`action="${MEMBER_API_PATHS.logout}"`);
    expect(files.public.get(editionPageKey(free.id))).not.toContain('Sign out');
    expect(files.public.get(EDITIONS_INDEX_KEY)).toContain(`/editions/${free.id}/`);
    expect(leaks).toEqual([]);
    await publisher.publish({ free, paid, reports });
    expect(files.public).toEqual(first);
    expect(index.entries.size).toBe(1);
  });

  it('a free view carrying paid text is stubbed before the page is written, and the leak is reported by id', async () => {
    const { files, leaks, publisher } = setup();
    const leaky = {
      ...free,
      subscriberOnly: free.subscriberOnly.map((view) =>
        view.id === subscriberRecord.id ? { ...view, bodyHtml: `${view.bodyHtml}<p>${SECRET_PARAGRAPH}</p>` } : view,
      ),
    };
    await publisher.publish({ free: leaky, paid, reports });
    const written = files.public.get(editionPageKey(free.id));
    expect(written).toBeDefined();
    expect(written).not.toContain(SECRET_PARAGRAPH);
    expect(leaks).toEqual([
      expect.objectContaining({ editionId: free.id, stubbed: [subscriberRecord.id], action: 'stubbed' }),
    ]);
    expect(JSON.stringify(leaks)).not.toContain(SECRET_PARAGRAPH);
  });
});
