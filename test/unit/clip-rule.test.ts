import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAIL_HTML_BUDGET_BYTES,
  MAX_CLIP_COMPILES,
  mailOrder,
  personalisedHtmlBytes,
} from '../../lambdas/core/digest/clip-rule';
import type { CompiledEdition } from '../../lambdas/core/digest/compiled-edition';
import { buildEditionContent, editionViews, type EditionContent } from '../../lambdas/core/digest/edition-content';
import { personalise, type PersonalisedMessage } from '../../lambdas/core/digest/personalise';
import { compileForTier } from '../../lambdas/core/digest/tier-compile';
import type { PaidPart } from '../../lambdas/core/reports/report';
import type { ReaderTier } from '../../lambdas/core/shared/reader-tier';
import { compileEdition, mjmlCompileCount } from '../../lambdas/render/digest-renderer';
import { EDITION_DATE, fixtureEdition, publication } from '../fixtures/digest-edition';
import { longEdition, paidMarker } from '../fixtures/long-edition';

/** Real links are about 200 characters: these are longer, with `&` that HTML escapes to `&amp;`. */
const TOKEN = 'x'.repeat(150);
const RECIPIENT = {
  unsubscribeUrl: `https://lantern.example.net/api/unsubscribe?token=${TOKEN}&lang=en&src=digest`,
  manageUrl: `https://lantern.example.net/api/subscribers/manage?token=${TOKEN}&src=digest`,
  feedUrl: `https://lantern.example.net/feeds/private/${TOKEN}/rss.xml?src=digest&v=2`,
};

const reports = longEdition();
const records = reports.map((report) => report.record);
const paidParts = new Map(
  reports.flatMap((report): [string, PaidPart][] =>
    report.paid && report.record.paidRef ? [[report.record.paidRef, report.paid]] : [],
  ),
);

function content(tier: ReaderTier): EditionContent {
  const views = editionViews(records, paidParts, tier, publication);
  return buildEditionContent({ id: '01KBCLIPEDITION00000000000', date: EDITION_DATE, tier, views });
}

const compiled: Partial<Record<ReaderTier, CompiledEdition>> = {};
const mails: Partial<Record<ReaderTier, PersonalisedMessage>> = {};
const compiles: Partial<Record<ReaderTier, number>> = {};

beforeAll(async () => {
  for (const tier of ['free', 'paid'] as const) {
    const before = mjmlCompileCount();
    const guarded = await compileForTier(content(tier), records, compileEdition, publication);
    if (!guarded.ok) throw new Error(`The ${tier} edition did not pass the leak scan`);
    compiles[tier] = mjmlCompileCount() - before;
    compiled[tier] = guarded.output;
    mails[tier] = personalise(
      guarded.output,
      tier === 'free' ? { unsubscribeUrl: RECIPIENT.unsubscribeUrl, manageUrl: RECIPIENT.manageUrl } : RECIPIENT,
    );
  }
}, 120_000);

const mail = (tier: ReaderTier): PersonalisedMessage => mails[tier] ?? expect.fail(`no ${tier} mail`);
const edition = (tier: ReaderTier): CompiledEdition => compiled[tier] ?? expect.fail(`no ${tier} edition`);

describe('the clip rule on an edition of 30 long reports', () => {
  it.each(['free', 'paid'] as const)('keeps the %s mail within 90 KB of HTML with real links', (tier) => {
    expect(Buffer.byteLength(mail(tier).html, 'utf8')).toBeLessThanOrEqual(MAIL_HTML_BUDGET_BYTES);
    // The estimate used while compiling is a ceiling of what the sender produces.
    expect(personalisedHtmlBytes(edition(tier))).toBeGreaterThanOrEqual(Buffer.byteLength(mail(tier).html, 'utf8'));
  });

  it.each(['free', 'paid'] as const)('shortens the last reports of the %s mail and keeps the first in full', (tier) => {
    const order = mailOrder(content(tier));
    const shortened = edition(tier).shortenedReportIds ?? [];
    expect(shortened.length).toBeGreaterThan(0);
    expect(shortened.length).toBeLessThan(order.length);
    // Exactly a tail of the mail: every report after the first shortened one is shortened too.
    expect([...shortened].sort()).toEqual(order.slice(order.length - shortened.length).sort());
    const html = mail(tier).html;
    const first = records.find((record) => record.id === order[0]);
    const last = records.find((record) => record.id === order.at(-1));
    if (!first || !last) throw new Error('no reports');
    const filing = (record: typeof first, paragraph: number) => `Filing ${record.slug.split('-').at(-1)}.${paragraph}:`;
    expect(html).toContain(filing(first, 2));
    // A shortened report keeps its title, summary and a link, and loses its body.
    expect(html).not.toContain(filing(last, 2));
    expect(html).toContain(last.title);
    expect(html).toContain(last.summary.replaceAll("'", '&#39;'));
    expect(html.match(/Read the full report<\/a>/g)?.length).toBe(shortened.length);
  });

  it('links a shortened subscriber report to the member page in the paid mail', () => {
    const shortened = new Set(edition('paid').shortenedReportIds);
    const subscriber = records.find((record) => shortened.has(record.id) && record.tier === 'subscriber');
    if (!subscriber) throw new Error('no shortened subscriber report');
    expect(mail('paid').html).toContain(`href="https://lantern.example.net/members/reports/${subscriber.slug}/"`);
  });

  it('still keeps every paid part out of the free mail', () => {
    const { html, text } = mail('free');
    reports.forEach((_, i) => {
      expect(html).not.toContain(paidMarker(i));
      expect(text.replace(/\s+/g, ' ')).not.toContain(paidMarker(i));
    });
    // The marker is real paid text: a paid mail of that report alone carries it.
  });

  it('carries the paid text in a paid mail that has room for it', async () => {
    const one = [records[1]].flatMap((record) => (record ? [record] : []));
    const views = editionViews(one, paidParts, 'paid', publication);
    const small = buildEditionContent({ id: 'e-one', date: EDITION_DATE, tier: 'paid', views });
    const guarded = await compileForTier(small, one, compileEdition, publication);
    if (!guarded.ok) throw new Error('no paid edition');
    expect(guarded.output.html.parts.join('')).toContain(paidMarker(1));
  });

  it('runs MJML a bounded number of times', () => {
    expect(compiles.paid).toBeLessThanOrEqual(MAX_CLIP_COMPILES);
    expect(compiles.paid).toBeGreaterThan(1);
  });
});

describe('the clip rule on a short edition', () => {
  it.each(['free', 'paid'] as const)('never shortens the %s mail and compiles it once', async (tier) => {
    const before = mjmlCompileCount();
    const guarded = await compileForTier(fixtureEdition(tier), [], compileEdition, publication);
    if (!guarded.ok) throw new Error('leak');
    expect(mjmlCompileCount() - before).toBe(1);
    expect(guarded.output.shortenedReportIds).toEqual([]);
    expect(guarded.output.html.parts.join('')).not.toContain('Read the full report');
  });
});
