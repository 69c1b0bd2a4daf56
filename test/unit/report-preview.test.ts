import { describe, expect, it } from 'vitest';
import type { CompiledEdition } from '../../lambdas/core/digest/compiled-edition';
import type { EditionContent } from '../../lambdas/core/digest/edition-content';
import { previewReportMail } from '../../lambdas/core/digest/report-mail-preview';
import { publicView, SUBSCRIBER_NOTICE } from '../../lambdas/core/paywall/tiers';
import { draftReport } from '../../lambdas/core/reports/report-draft';
import { previewReport } from '../../lambdas/core/reports/report-preview';
import { ConflictError, InvalidInputError, TooLargeError } from '../../lambdas/core/shared/errors';
import type { Publication } from '../../lambdas/core/shared/publication';
import { previewRecipientUrls } from '../../lambdas/core/shared/reader-urls';
import { previewFeedItems } from '../../lambdas/core/site/feeds/item-preview';
import { mainFeedTitles, renderFeeds } from '../../lambdas/core/site/feeds/render-feeds';
import { renderPrivateFeeds } from '../../lambdas/core/site/private-feeds';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import { mainFeedUrls } from '../../lambdas/core/shared/reader-urls';
import { publication } from '../fixtures/digest-edition';

/** Issue 14: the editor's preview of a draft as each reader tier's feed item and email block. */
const NOW = new Date('2026-11-24T09:00:00.000Z');
const PUBLIC_ONE = 'Harbour pilots walked out at Port Ardent on Tuesday night.';
const PUBLIC_TWO = 'Day traffic continues under a reduced schedule.';
const PAID = 'The union ledger shows the strike fund covers nineteen more nights of action.';

function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Pilots strike halts night arrivals',
    summary: 'Arrivals after dark are suspended.',
    tier: 'subscriber',
    series: 'sea-lanes',
    tags: ['ports'],
    authors: ['Mara Quill'],
    body: `${PUBLIC_ONE}\n\n${PUBLIC_TWO}\n\n<!-- paywall -->\n\n## The ledger\n\n${PAID}\n`,
    ...overrides,
  };
}

describe('the draft (shared by both preview routes)', () => {
  it('refuses an undefined footnote with 422 naming body and the line, as a create does', () => {
    const body = 'One.[^2]\n\nTwo.\n\n<!-- paywall -->\n\nThree.';
    const refusal = (() => {
      try {
        draftReport(input({ body }), publication, NOW);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as InvalidInputError).fields).toEqual([
      { field: 'body', message: expect.stringMatching(/^line 1 cites footnote \[\^2\], which is never defined/) },
    ]);
  });

  it('names every missing field, and says a body over the limit is too large', () => {
    expect(() => draftReport({ body: 'x' }, publication, NOW)).toThrow(InvalidInputError);
    const small: Publication = { ...publication, maxBodyBytes: 64 };
    expect(() => draftReport(input({ body: 'word '.repeat(40) }), small, NOW)).toThrow(TooLargeError);
  });

  it('keeps the paid part beside the record, as the vault would hold it', () => {
    const draft = draftReport(input(), publication, NOW);
    expect(draft.record.publicHtml).not.toContain(PAID);
    expect(draft.paid?.fullHtml).toContain(PAID);
    expect(draft.subscriberHtml).toContain(PAID);
  });
});

describe('the feed item preview', () => {
  it('is the public feeds’ item for a free reader: public part and notice, no subscriber-only text', async () => {
    const { free } = await previewFeedItems(draftReport(input(), publication, NOW), publication);
    for (const text of [free.rss, free.contentHtml]) {
      expect(text).toContain(PUBLIC_TWO);
      expect(text).toContain(SUBSCRIBER_NOTICE);
      expect(text).not.toContain(PAID);
      expect(text).not.toContain('The ledger');
    }
    expect(free.rss).toMatch(/^<item>\n {4}<title><!\[CDATA\[Pilots strike halts night arrivals\]\]><\/title>/);
    expect(free.rss).toMatch(/<\/item>$/);
  });

  it('is the private feed’s item for a paid reader: the whole report, no notice', async () => {
    const { paid } = await previewFeedItems(draftReport(input(), publication, NOW), publication);
    for (const text of [paid.rss, paid.contentHtml]) {
      expect(text).toContain(PUBLIC_ONE);
      expect(text).toContain(PAID);
      expect(text).not.toContain(SUBSCRIBER_NOTICE);
    }
  });

  it('comes from the real renderers, byte for byte', async () => {
    const draft = draftReport(input(), publication, NOW);
    const items = await previewFeedItems(draft, publication);
    const options = { publication, ...mainFeedTitles(publication), selfUrls: mainFeedUrls(publication) };
    const feeds = renderFeeds([publicView(draft.record, publication)], { ...options, updated: NOW });
    const privateFeeds = renderPrivateFeeds(
      [draft.record],
      new Map([[draft.record.paidRef ?? '', draft.paid ?? { subscriberMarkdown: '', fullHtml: '' }]]),
      publication,
      'preview',
    );
    const contentOf = (json: string) =>
      (JSON.parse(json) as { items: { content_html: string }[] }).items[0]?.content_html;
    expect(items.free.contentHtml).toBe(contentOf(feeds.json));
    expect(items.paid.contentHtml).toBe(contentOf(privateFeeds.documents['feed.json']));
    // Only the channel's indentation is taken off the item's own lines.
    const lines = (xml: string) => xml.split('\n').map((line) => line.trim());
    expect(lines(feeds.rss).join('\n')).toContain(lines(items.free.rss).join('\n'));
    expect(lines(privateFeeds.documents['rss.xml']).join('\n')).toContain(lines(items.paid.rss).join('\n'));
  });

  it('keeps the leading spaces of a code block inside the item’s content', async () => {
    const body = `${PUBLIC_ONE}\n\n\`\`\`\nfirst line\n        eight spaces in\n\`\`\`\n\n<!-- paywall -->\n\n${PAID}`;
    const { free } = await previewFeedItems(draftReport(input({ body }), publication, NOW), publication);
    expect(free.rss).toContain('\n        eight spaces in');
  });

  it('shows a complimentary report in full to both tiers', async () => {
    const body = `${PUBLIC_ONE}\n\n${PAID}`;
    const items = await previewFeedItems(
      draftReport(input({ tier: 'complimentary', body }), publication, NOW),
      publication,
    );
    expect(items.free).toEqual(items.paid);
    expect(items.free.contentHtml).toContain(PAID);
  });

  it('answers the page parts and the feed items in one preview', async () => {
    const preview = await previewReport(input(), publication, NOW);
    expect(preview).toMatchObject({ cut: 'marker', warnings: [] });
    expect(preview.publicHtml).not.toContain(PAID);
    expect(preview.subscriberHtml).toContain(PAID);
    expect(preview.feedItem.free.rss).not.toContain(PAID);
    expect(preview.feedItem.paid.rss).toContain(PAID);
  });
});

describe('the email block preview', () => {
  it('compiles a one-report edition per tier with the preview links: paid text for paid readers only', async () => {
    const mail = await previewReportMail(input(), compileEdition, publication, NOW);
    const links = previewRecipientUrls(publication);
    expect(mail.free.subject).toBe(mail.paid.subject);
    expect(mail.free.subject).toContain('Pilots strike halts night arrivals');
    for (const part of [mail.free.html, mail.free.text]) {
      expect(part).toContain(PUBLIC_TWO);
      expect(part).not.toContain(PAID);
    }
    for (const part of [mail.paid.html, mail.paid.text]) expect(part).toContain(PAID);
    expect(mail.free.html).toContain(links.unsubscribeUrl.replaceAll('&', '&amp;'));
    expect(mail.paid.html).toContain(links.feedUrl);
    expect(mail.free.html).not.toContain(links.feedUrl);
  });

  it('puts the free email through the leak guard: a renderer that leaks is refused, never shown', async () => {
    // A renderer bug: every free edition carries the paid paragraph in its frame, outside any report block.
    const leaking = async (content: EditionContent, pub: Publication): Promise<CompiledEdition> => {
      const compiled = await compileEdition(content, pub);
      if (content.tier === 'paid') return compiled;
      return { ...compiled, preheader: `${compiled.preheader} ${PAID}` };
    };
    await expect(previewReportMail(input(), leaking, publication, NOW)).rejects.toThrow(ConflictError);
    await expect(previewReportMail(input(), leaking, publication, NOW)).rejects.toMatchObject({ code: 'leak_blocked' });
  });
});
