import { beforeAll, describe, expect, it } from 'vitest';
import { buildEditionContent } from '../../lambdas/core/digest/edition-content';
import { personalise, type PersonalisedMessage } from '../../lambdas/core/digest/personalise';
import { publicView } from '../../lambdas/core/paywall/tiers';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import { complimentaryRecord, EDITION_DATE, fixtureEdition, publication } from '../fixtures/digest-edition';

const UNSUBSCRIBE = 'https://lantern.example.net/api/unsubscribe?token=u-123';
const FEED = 'https://lantern.example.net/feeds/private/p-456/rss.xml';
const MANAGE = 'https://lantern.example.net/api/subscribers/manage?token=g-789';
const flat = (text: string) => text.replace(/\s+/g, ' ');

let free: PersonalisedMessage;
let paid: PersonalisedMessage;

beforeAll(async () => {
  free = personalise(await compileEdition(fixtureEdition('free'), publication), {
    unsubscribeUrl: UNSUBSCRIBE,
    manageUrl: MANAGE,
  });
  paid = personalise(await compileEdition(fixtureEdition('paid'), publication), {
    unsubscribeUrl: UNSUBSCRIBE,
    manageUrl: MANAGE,
    feedUrl: FEED,
  });
});

describe('"View in browser"', () => {
  it('opens the free mail with a link to the public edition page', () => {
    const url = 'https://lantern.example.net/editions/edition-2026-11-23/';
    expect(free.html).toMatch(new RegExp(`<a href="${url}"[^>]*>View in browser</a>`));
    expect(free.html.indexOf('View in browser')).toBeLessThan(free.html.indexOf('Outage logs go public'));
    expect(flat(free.text)).toContain(`View in browser [${url}]`);
    expect(free.html).not.toContain('/members/editions/');
  });

  it('opens the paid mail with a link to the member edition page', () => {
    const url = 'https://lantern.example.net/members/editions/edition-2026-11-23/';
    expect(paid.html).toMatch(new RegExp(`<a href="${url}"[^>]*>View in browser</a>`));
    expect(flat(paid.text)).toContain(`View in browser [${url}]`);
  });

  it('is well formed for a preview edition too', async () => {
    const views = [publicView(complimentaryRecord, publication)];
    const content = buildEditionContent({ id: 'preview-1764489600000', date: EDITION_DATE, tier: 'free', views });
    const compiled = await compileEdition(content, publication);
    expect(compiled.html.parts.join('')).toContain(
      'href="https://lantern.example.net/editions/preview-1764489600000/"',
    );
  });
});

describe('the text part', () => {
  it('says each image in words: the lead image and body images by their alt text, never their URL', () => {
    const text = flat(free.text);
    expect(text).toContain('[Image: A substation at dusk, "Line 4" & its relays]');
    expect(text).not.toContain('substation.jpg');
    expect(text).toContain('Line 4 substation, November.');
  });

  it('gives a body image its alt text and leaves out decorative ones', async () => {
    const record = {
      ...complimentaryRecord,
      publicHtml:
        '<p>Before.</p><p><img src="https://img.lantern.example.net/chart.png" alt="Chart of outages by month"></p>' +
        '<p><img src="https://img.lantern.example.net/rule.png" alt=""></p><p>After.</p>',
    };
    const content = buildEditionContent({
      id: 'e-images',
      date: EDITION_DATE,
      tier: 'free',
      views: [publicView(record, publication)],
    });
    const text = flat(
      personalise(await compileEdition(content, publication), { unsubscribeUrl: UNSUBSCRIBE, manageUrl: MANAGE }).text,
    );
    expect(text).toContain('Before. [Image: Chart of outages by month] After.');
    expect(text).not.toContain('chart.png');
    expect(text).not.toContain('rule.png');
  });
});
