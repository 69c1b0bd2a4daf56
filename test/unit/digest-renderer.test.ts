import { beforeAll, describe, expect, it } from 'vitest';
import { parseCompiledEdition, type CompiledEdition } from '../../lambdas/core/digest/compiled-edition';
import type { PersonalisedMessage } from '../../lambdas/core/digest/personalise';
import { COMPLIMENTARY_OFFERING_NOTICE, SUBSCRIBER_NOTICE } from '../../lambdas/core/paywall/tiers';
import { compileEdition, mjmlCompileCount, personalise } from '../../lambdas/render/digest-renderer';
import { parseTemplate, renderTemplate, TemplateError, TrustedHtml } from '../../lambdas/core/shared/template-engine';
import {
  fixtureEdition,
  HOSTILE_TITLE,
  publication,
  SECRET_FOOTNOTE,
  SECRET_PARAGRAPH,
  subscriberRecord,
} from '../fixtures/digest-edition';

const UNSUBSCRIBE = 'https://lantern.example.net/api/unsubscribe?token=u-123&lang=en';
const MANAGE = 'https://lantern.example.net/api/subscribers/manage?token=m-123';
const FEED = 'https://lantern.example.net/feeds/private/p-456/rss.xml?src=digest&v=2';
const amp = (url: string) => url.replaceAll('&', '&amp;');
/** The text part is word-wrapped; compare paragraphs with their line breaks folded. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** Distinctive fragments of the subscriber-only part: none may reach a free reader in any form. */
const SECRETS = [SECRET_PARAGRAPH, SECRET_FOOTNOTE, 'ORCHID-7731', 'QUILL-4402', 'Vault-only'];

let compileDelta = 0;
let free: CompiledEdition;
let paid: CompiledEdition;
let freeMail: PersonalisedMessage;
let paidMail: PersonalisedMessage;

beforeAll(async () => {
  const before = mjmlCompileCount();
  free = await compileEdition(fixtureEdition('free'), publication);
  paid = await compileEdition(fixtureEdition('paid'), publication);
  for (let i = 0; i < 500; i++) personalise(free, { manageUrl: MANAGE, unsubscribeUrl: `${UNSUBSCRIBE}&n=${i}` });
  freeMail = personalise(free, { manageUrl: MANAGE, unsubscribeUrl: UNSUBSCRIBE });
  paidMail = personalise(paid, { manageUrl: MANAGE, unsubscribeUrl: UNSUBSCRIBE, feedUrl: FEED });
  compileDelta = mjmlCompileCount() - before;
});

describe('compileEdition', () => {
  it('runs MJML exactly once per tier, however many recipients follow', () => {
    expect(compileDelta).toBe(2);
  });

  it('produces JSON that the sender can load back unchanged', () => {
    expect(parseCompiledEdition(JSON.parse(JSON.stringify(paid)))).toEqual(paid);
  });

  it('keeps the per-recipient tokens through MJML and html-to-text', () => {
    expect(free.html.slots).toEqual(expect.arrayContaining(['unsubscribeUrl', 'manageUrl']));
    expect(free.html.slots).not.toContain('feedUrl');
    expect(free.text.slots).toEqual(['unsubscribeUrl', 'manageUrl']);
    expect(paid.html.slots).toEqual(expect.arrayContaining(['unsubscribeUrl', 'feedUrl', 'manageUrl']));
    expect(paid.text.slots).toEqual(expect.arrayContaining(['unsubscribeUrl', 'feedUrl', 'manageUrl']));
    for (const part of [...free.html.parts, ...free.text.parts, ...paid.html.parts, ...paid.text.parts]) {
      expect(part).not.toContain('%%DISPATCH');
    }
  });

  it('leaves sentinel look-alikes in report text alone: the real sentinels carry a random nonce', async () => {
    const content = fixtureEdition('free');
    const [first, ...rest] = content.complimentary;
    if (!first) throw new Error('fixture has no complimentary report');
    const forged = { ...first, bodyHtml: `${first.bodyHtml}<p>%%DISPATCH_UNSUBSCRIBE_URL%% %%DISPATCH_FEED_URL%%</p>` };
    const compiled = await compileEdition({ ...content, complimentary: [forged, ...rest] }, publication);
    const mail = personalise(compiled, { manageUrl: MANAGE, unsubscribeUrl: UNSUBSCRIBE });
    expect(mail.html).toContain('%%DISPATCH_UNSUBSCRIBE_URL%% %%DISPATCH_FEED_URL%%');
    expect(compiled.html.slots).toEqual(free.html.slots);
  });
});

describe('free tier', () => {
  it('contains no subscriber-only text in the HTML, text, subject or preheader', () => {
    for (const secret of SECRETS) {
      expect(freeMail.html).not.toContain(secret);
      expect(flat(freeMail.text)).not.toContain(secret);
      expect(freeMail.subject).not.toContain(secret);
      expect(free.preheader).not.toContain(secret);
    }
  });

  it('teases subscriber reports with the public part, the notice and a subscribe link', () => {
    expect(freeMail.html).toContain('The filings arrived on a Friday.');
    expect(freeMail.html).toContain(SUBSCRIBER_NOTICE);
    expect(freeMail.html).toContain(`href="${amp(publication.subscribeUrl)}"`);
    expect(freeMail.text).toContain(SUBSCRIBER_NOTICE);
    expect(freeMail.text).toContain(publication.subscribeUrl);
  });

  it('gives complimentary and released reports in full, with the offering banner', () => {
    expect(freeMail.html).toContain('We had nothing to hide');
    expect(freeMail.html).toContain('The terms surfaced in a court filing.');
    expect(freeMail.html).toContain(COMPLIMENTARY_OFFERING_NOTICE);
    expect(freeMail.html).toContain('Regional operator notice 12/2026.');
  });

  it('has no private-feed link', () => {
    expect(freeMail.html).not.toContain('/feeds/private/');
    expect(freeMail.text).not.toContain('private feed');
  });
});

describe('paid tier', () => {
  it('has every report in full, footnotes included', () => {
    for (const secret of SECRETS) {
      expect(paidMail.html).toContain(secret);
      expect(flat(paidMail.text)).toContain(secret);
    }
    expect(paidMail.html).not.toContain(SUBSCRIBER_NOTICE);
  });

  it('links the reader’s private feed in both parts', () => {
    expect(paidMail.html).toContain(`href="${amp(FEED)}"`);
    expect(paidMail.text).toContain(FEED);
  });
});

describe('both tiers', () => {
  it('escape per-recipient URLs in HTML and keep them raw in text', () => {
    for (const mail of [freeMail, paidMail]) {
      expect(mail.html).toContain(`href="${amp(UNSUBSCRIBE)}"`);
      expect(mail.html).not.toContain(UNSUBSCRIBE);
      expect(mail.text).toContain(UNSUBSCRIBE);
      expect(mail.html).not.toContain('%%');
      expect(mail.text).not.toContain('%%');
    }
  });

  it('escape hostile titles while keeping emoji and Arabic', () => {
    for (const mail of [freeMail, paidMail]) {
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain(
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tariffs &amp; &quot;grids&quot; 🚀',
      );
      expect(mail.html).toContain('تقرير الشبكة');
      expect(mail.text).toContain(HOSTILE_TITLE);
    }
  });

  it('put the preheader, built from summaries, in a hidden block and not in the text part', () => {
    expect(freeMail.html).toMatch(/<div style="display:none;[^"]*">Regulators &amp; operators disagree/);
    // The text part opens with the visible "View in browser" line, not with the hidden preheader.
    expect(freeMail.text.startsWith('View in browser')).toBe(true);
  });

  it('show the lead image with escaped alt text and URL', () => {
    expect(freeMail.html).toContain('alt="A substation at dusk, &quot;Line 4&quot; &amp; its relays"');
    expect(freeMail.html).toContain(`src="${amp(subscriberRecord.leadImage?.url ?? '')}"`);
    expect(freeMail.text).not.toContain('substation.jpg');
  });

  it('show each report’s program blurb and link, and the footer', () => {
    for (const mail of [freeMail, paidMail]) {
      expect(mail.html).toContain('Sea Lanes follows cargo routes, port disputes &amp; sanctions from open sources.');
      expect(mail.html).toContain('href="https://lantern.example.net/programs/sea-lanes/"');
      expect(mail.html).toContain(publication.footerText);
      expect(mail.text).toContain('Unsubscribe');
    }
  });

  it('link each title to its report page', () => {
    expect(freeMail.html).toContain('<a href="https://lantern.example.net/reports/tariff-dispute/">');
  });
});

describe('template engine', () => {
  const render = (source: string, data: Record<string, unknown>, partials: Record<string, string> = {}) =>
    renderTemplate(parseTemplate(source, partials), data);

  it('escapes by default', () => {
    expect(render('<p>{{x}}</p>', { x: '<b>&</b>' })).toBe('<p>&lt;b&gt;&amp;&lt;/b&gt;</p>');
  });

  it('inserts raw HTML only when it is marked trusted', () => {
    expect(render('{{{x}}}', { x: new TrustedHtml('<b>ok</b>') })).toBe('<b>ok</b>');
    expect(() => render('{{{x}}}', { x: '<b>no</b>' })).toThrow(TemplateError);
  });

  it('fails loudly on a missing value', () => {
    expect(() => render('{{missing}}', {})).toThrow(/missing/);
  });

  it('loops, branches and falls back to outer scopes', () => {
    const source = '{{#each items}}{{#if on}}[{{name}}@{{site}}]{{else}}-{{/if}}{{/each}}';
    expect(
      render(source, {
        site: 's',
        items: [
          { name: 'a', on: true },
          { name: 'b', on: false },
        ],
      }),
    ).toBe('[a@s]-');
  });

  it('inlines partials and does not re-read inserted values as template syntax', () => {
    expect(render('{{> p}}', { x: '{{y}}', y: 'no' }, { p: '<i>{{x}}</i>' })).toBe('<i>{{y}}</i>');
  });

  it('rejects unknown partials and unbalanced blocks', () => {
    expect(() => parseTemplate('{{> nope}}')).toThrow(/Unknown partial/);
    expect(() => parseTemplate('{{#if a}}')).toThrow(/Unclosed/);
    expect(() => parseTemplate('{{#each a}}{{/if}}')).toThrow(/Unexpected/);
  });
});
