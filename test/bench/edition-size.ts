import { buildEditionContent, editionViews } from '../../lambdas/core/digest/edition-content';
import { personalise } from '../../lambdas/core/digest/personalise';
import { compileForTier } from '../../lambdas/core/digest/tier-compile';
import type { PaidPart } from '../../lambdas/core/reports/report';
import type { ReaderTier } from '../../lambdas/core/shared/reader-tier';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import { EDITION_DATE, publication } from '../fixtures/digest-edition';
import { LONG_EDITION_REPORTS, longEdition } from '../fixtures/long-edition';
import { round } from './stats';

/**
 * The weight of a full edition: 30 long reports (the digest's `maxReports`, test/fixtures/long-edition.ts), half of
 * them subscriber-only, compiled once per tier as the planner does (leak guard and clip rule) and personalised for
 * one reader with links of real length, as the mail sender hands it to SES. Gmail clips a message's HTML past
 * ~102 KB; the clip rule keeps every mail ≤ 90 KB by shortening the later reports, and this says how many.
 */
export interface EditionSizeFigures {
  reports: number;
  /** Bytes of one report's body as readers get it in full (HTML), to show what "long" means here. */
  reportHtmlKB: number;
  htmlKB: Record<ReaderTier, number>;
  textKB: Record<ReaderTier, number>;
  /** Of the HTML: the report bodies themselves, before the template and MJML's inlined styles. */
  bodiesKB: Record<ReaderTier, number>;
  /** Reports the clip rule shortened to title, dateline, summary and a link, per tier. */
  shortened: Record<ReaderTier, number>;
  maxHtmlKB: number;
}

/** Real links are about 200 characters (HMAC tokens); these are a little longer. */
const TOKEN = 'x'.repeat(150);
const RECIPIENT = {
  unsubscribeUrl: `https://lantern.example.net/api/unsubscribe?token=${TOKEN}&lang=en&src=digest`,
  manageUrl: `https://lantern.example.net/api/subscribers/manage?token=${TOKEN}&src=digest`,
  feedUrl: `https://lantern.example.net/feeds/private/${TOKEN}/rss.xml?src=digest&v=2`,
};

export async function measureEditionSize(log: (line: string) => void): Promise<EditionSizeFigures> {
  const reports = longEdition();
  const records = reports.map((report) => report.record);
  const paidParts = new Map(
    reports.flatMap((report): [string, PaidPart][] =>
      report.paid && report.record.paidRef ? [[report.record.paidRef, report.paid]] : [],
    ),
  );
  const sizes = async (tier: ReaderTier) => {
    const views = editionViews(records, paidParts, tier, publication);
    const content = buildEditionContent({ id: '01KBENCHEDITION00000000000', date: EDITION_DATE, tier, views });
    const guarded = await compileForTier(content, records, compileEdition, publication);
    if (!guarded.ok) throw new Error(`The ${tier} edition did not pass the leak scan`);
    const message = personalise(
      guarded.output,
      tier === 'free' ? { unsubscribeUrl: RECIPIENT.unsubscribeUrl, manageUrl: RECIPIENT.manageUrl } : RECIPIENT,
    );
    const bodies = views.reduce((sum, view) => sum + Buffer.byteLength(view.bodyHtml), 0);
    return {
      html: Buffer.byteLength(message.html),
      text: Buffer.byteLength(message.text),
      bodies,
      shortened: guarded.output.shortenedReportIds?.length ?? 0,
    };
  };
  const free = await sizes('free');
  const paid = await sizes('paid');
  const kB = (bytes: number) => round(bytes / 1024, 1);
  const longest = reports.find((r) => r.paid)?.paid?.fullHtml ?? '';
  const figures: EditionSizeFigures = {
    reports: LONG_EDITION_REPORTS,
    reportHtmlKB: kB(Buffer.byteLength(longest)),
    htmlKB: { free: kB(free.html), paid: kB(paid.html) },
    textKB: { free: kB(free.text), paid: kB(paid.text) },
    bodiesKB: { free: kB(free.bodies), paid: kB(paid.bodies) },
    shortened: { free: free.shortened, paid: paid.shortened },
    maxHtmlKB: kB(Math.max(free.html, paid.html)),
  };
  log(
    `edition size: ${LONG_EDITION_REPORTS} reports of up to ${figures.reportHtmlKB} KB HTML each, after the clip rule: free mail ${figures.htmlKB.free} KB HTML (${figures.shortened.free} reports shortened; report bodies ${figures.bodiesKB.free} KB) + ${figures.textKB.free} KB text, paid ${figures.htmlKB.paid} KB (${figures.shortened.paid} shortened; bodies ${figures.bodiesKB.paid} KB) + ${figures.textKB.paid} KB`,
  );
  return figures;
}
