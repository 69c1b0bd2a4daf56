import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildEditionContent,
  EditionContentError,
  editionPreheader,
  editionSubject,
  PREHEADER_MAX_LENGTH,
  SUBJECT_MAX_LENGTH,
  truncateText,
} from '../../lambdas/core/digest/edition-content';
import { escapeHtml } from '../../lambdas/core/shared/escape-html';
import {
  parseCompiledEdition,
  splitOnSentinels,
  type CompiledEdition,
} from '../../lambdas/core/digest/compiled-edition';
import { personalise, RecipientError } from '../../lambdas/core/digest/personalise';
import { paidView, publicView } from '../../lambdas/core/paywall/tiers';
import {
  complimentaryRecord,
  fixtureEdition,
  HOSTILE_TITLE,
  publication,
  releasedRecord,
  SECRET_PARAGRAPH,
  subscriberPaidPart,
  subscriberRecord,
} from '../fixtures/digest-edition';

const graphemeCount = (text: string) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;

describe('buildEditionContent', () => {
  it('puts complimentary and released reports in the complimentary section, newest first', () => {
    const content = fixtureEdition('free');
    expect(content.complimentary.map((view) => view.id)).toEqual([complimentaryRecord.id, releasedRecord.id]);
    expect(content.subscriberOnly.map((view) => view.id)).toEqual([subscriberRecord.id]);
  });

  it('gives free readers previews and paid readers full text in the subscriber section', () => {
    expect(fixtureEdition('free').subscriberOnly[0]?.access).toBe('preview');
    expect(fixtureEdition('paid').subscriberOnly[0]?.access).toBe('full');
  });

  it('refuses a free edition built from a paid view, which would leak the subscriber-only text', () => {
    const views = [paidView(subscriberRecord, subscriberPaidPart, publication)];
    expect(() => buildEditionContent({ id: 'e', date: new Date(0), tier: 'free', views })).toThrow(EditionContentError);
  });

  it('refuses a paid edition that carries a preview', () => {
    const views = [publicView(subscriberRecord, publication)];
    expect(() => buildEditionContent({ id: 'e', date: new Date(0), tier: 'paid', views })).toThrow(EditionContentError);
  });

  it('refuses an empty edition and a report listed twice', () => {
    const view = publicView(complimentaryRecord, publication);
    expect(() => buildEditionContent({ id: 'e', date: new Date(0), tier: 'free', views: [] })).toThrow(/no reports/);
    expect(() => buildEditionContent({ id: 'e', date: new Date(0), tier: 'free', views: [view, view] })).toThrow(
      /twice/,
    );
  });
});

/** Control characters and line breaks among ordinary graphemes: what a hostile title would carry. */
const titleCharacter = fc.oneof(
  fc.constantFrom('\r', '\n', '\t', '\u0000', '\u2028'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);

describe('editionSubject', () => {
  it('names the publication, the newest report and how many more there are', () => {
    expect(editionSubject(fixtureEdition('free'), publication)).toBe(`Lantern Desk — ${HOSTILE_TITLE} + 2 more`);
  });

  it('is the same for both tiers', () => {
    expect(editionSubject(fixtureEdition('free'), publication)).toBe(
      editionSubject(fixtureEdition('paid'), publication),
    );
  });

  it('has no count for a single report', () => {
    const content = buildEditionContent({
      id: 'e',
      date: new Date(0),
      tier: 'free',
      views: [publicView(complimentaryRecord, publication)],
    });
    expect(editionSubject(content, publication)).toBe('Lantern Desk — Outage logs go public in three regions');
  });

  it('stays on one line and within its length whatever the title', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300, unit: titleCharacter }), (title) => {
        const view = { ...publicView(complimentaryRecord, publication), title };
        const content = buildEditionContent({ id: 'e', date: new Date(0), tier: 'free', views: [view] });
        const subject = editionSubject(content, publication);
        return !/[\r\n]/.test(subject) && graphemeCount(subject) <= SUBJECT_MAX_LENGTH;
      }),
    );
  });
});

describe('editionPreheader', () => {
  it('is made of summaries, lead first, and never of body text', () => {
    const preheader = editionPreheader(fixtureEdition('paid'));
    expect(preheader.startsWith(subscriberRecord.summary)).toBe(true);
    expect(preheader).not.toContain(SECRET_PARAGRAPH.slice(0, 20));
    expect(preheader).not.toContain('filings arrived');
  });

  it('is truncated at a word boundary with an ellipsis', () => {
    const preheader = editionPreheader(fixtureEdition('free'));
    expect(graphemeCount(preheader)).toBeLessThanOrEqual(PREHEADER_MAX_LENGTH);
    expect(preheader).toMatch(/ we…$/);
  });
});

describe('truncateText', () => {
  it('leaves short text alone', () => {
    expect(truncateText('Short enough', 20)).toBe('Short enough');
  });

  it('never cuts inside an emoji', () => {
    expect(truncateText('👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦', 3)).toBe('👩‍👩‍👧‍👦👩‍👩‍👧‍👦…');
  });

  it('returns at most maxLength graphemes, taken from the start of the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'grapheme' }), fc.integer({ min: 2, max: 150 }), (text, max) => {
        const result = truncateText(text, max);
        expect(graphemeCount(result)).toBeLessThanOrEqual(max);
        if (result !== text) expect(text.startsWith(result.slice(0, -1))).toBe(true);
      }),
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
});

const SENTINELS = { unsubscribeUrl: '%%U_TEST%%', feedUrl: '%%F_TEST%%', manageUrl: '%%M_TEST%%' };

function compiledFixture(tier: 'free' | 'paid'): CompiledEdition {
  const html = `<a href="%%U_TEST%%">Unsubscribe</a>${tier === 'paid' ? '<a href="%%F_TEST%%">%%F_TEST%%</a>' : ''}`;
  const text = `Unsubscribe [%%U_TEST%%]${tier === 'paid' ? ' Feed: %%F_TEST%%' : ''}`;
  return {
    format: 'dispatch.compiled-edition.v1',
    editionId: 'e',
    tier,
    subject: 'Subject',
    preheader: 'Preheader',
    reportIds: [],
    html: splitOnSentinels(html, SENTINELS),
    text: splitOnSentinels(text, SENTINELS),
  };
}

const UNSUBSCRIBE = 'https://lantern.example.net/api/unsubscribe?token=abc&lang=en';
const FEED = 'https://lantern.example.net/feeds/private/t0k3n/rss.xml?utm=a&b=c';
const MANAGE = 'https://lantern.example.net/api/subscribers/manage?token=m4n&x=1';

describe('splitOnSentinels', () => {
  it('cuts a document into one more part than it has tokens', () => {
    expect(splitOnSentinels('a%%U_TEST%%b%%F_TEST%%%%U_TEST%%', SENTINELS)).toEqual({
      parts: ['a', 'b', '', ''],
      slots: ['unsubscribeUrl', 'feedUrl', 'unsubscribeUrl'],
    });
  });
});

describe('personalise', () => {
  it('puts HTML-escaped URLs in the HTML and raw URLs in the text', () => {
    const message = personalise(compiledFixture('paid'), {
      manageUrl: MANAGE,
      unsubscribeUrl: UNSUBSCRIBE,
      feedUrl: FEED,
    });
    expect(message.html).toBe(
      `<a href="${UNSUBSCRIBE.replace('&', '&amp;')}">Unsubscribe</a>` +
        `<a href="${FEED.replace('&', '&amp;')}">${FEED.replace('&', '&amp;')}</a>`,
    );
    expect(message.text).toBe(`Unsubscribe [${UNSUBSCRIBE}] Feed: ${FEED}`);
  });

  it('adds RFC 8058 one-click unsubscribe headers', () => {
    expect(personalise(compiledFixture('free'), { manageUrl: MANAGE, unsubscribeUrl: UNSUBSCRIBE }).headers).toEqual([
      { name: 'List-Unsubscribe', value: `<${UNSUBSCRIBE}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('refuses a paid recipient without a private feed URL', () => {
    expect(() => personalise(compiledFixture('paid'), { manageUrl: MANAGE, unsubscribeUrl: UNSUBSCRIBE })).toThrow(
      RecipientError,
    );
  });

  it('refuses URLs that could break a header or a link', () => {
    const free = compiledFixture('free');
    expect(() => personalise(free, { manageUrl: MANAGE, unsubscribeUrl: 'https://x.example/\r\nBcc: a@b.c' })).toThrow(
      RecipientError,
    );
    expect(() => personalise(free, { manageUrl: MANAGE, unsubscribeUrl: 'javascript:alert(1)' })).toThrow(
      RecipientError,
    );
    expect(() => personalise(free, { manageUrl: MANAGE, unsubscribeUrl: 'https://x.example/>' })).toThrow(
      RecipientError,
    );
  });

  it('works on an edition that went through JSON and back', () => {
    const stored = parseCompiledEdition(JSON.parse(JSON.stringify(compiledFixture('paid'))));
    expect(personalise(stored, { manageUrl: MANAGE, unsubscribeUrl: UNSUBSCRIBE, feedUrl: FEED })).toEqual(
      personalise(compiledFixture('paid'), { manageUrl: MANAGE, unsubscribeUrl: UNSUBSCRIBE, feedUrl: FEED }),
    );
  });

  it('rejects a stored edition whose parts and slots disagree', () => {
    const broken = { ...compiledFixture('free'), html: { parts: ['a'], slots: ['unsubscribeUrl'] } };
    expect(() => parseCompiledEdition(broken)).toThrow(/one longer/);
  });
});
