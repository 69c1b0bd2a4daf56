import { buildEditionContent } from '../../lambdas/core/digest/edition-content';
import { personalise } from '../../lambdas/core/digest/personalise';
import { paidView, publicView } from '../../lambdas/core/paywall/tiers';
import type { PaidPart, ReportRecord } from '../../lambdas/core/reports/report';
import type { ReaderTier } from '../../lambdas/core/shared/reader-tier';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import { publication } from '../fixtures/digest-edition';
import { round } from './stats';

/**
 * The weight of a full edition: 30 long reports (the digest's `maxReports`), half of them subscriber-only, compiled
 * once per tier and personalised for one reader, as the mail sender hands it to SES. Gmail clips a message's HTML
 * past ~102 KB; the goal keeps every mail ≤ 90 KB.
 */
export interface EditionSizeFigures {
  reports: number;
  /** Bytes of one report's body as readers get it in full (HTML), to show what "long" means here. */
  reportHtmlKB: number;
  htmlKB: Record<ReaderTier, number>;
  textKB: Record<ReaderTier, number>;
  /** Of the HTML: the report bodies themselves, before the template and MJML's inlined styles. */
  bodiesKB: Record<ReaderTier, number>;
  maxHtmlKB: number;
}

const REPORTS = 30;
/** About 4.5 KB of prose per report, the length of the real monitoring report in the product brief's example. */
const PARAGRAPHS = 9;
/** A subscriber report's public preview; the rest is the paid part. */
const PARAGRAPHS_PREVIEW = 4;

/** A long monitoring report's paragraph: about 480 characters of plain prose with a footnote reference. */
const paragraph = (report: number, n: number, note: number): string =>
  `<p>Filing ${report}.${n}: the operator's quarterly disclosure lists ${3 + (n % 4)} unplanned outages on the ` +
  `northern interconnector, each followed by a repair window that slipped by days rather than hours. Regional load ` +
  `data for the same weeks show the reserve margin falling below the regulator's threshold on ${2 + (n % 5)} ` +
  `evenings, and the operator's explanation, given in an annex, does not match the dispatch logs it cites. ` +
  `We compared both line by line.<sup class="footnote-ref"><a href="#fn${note}">[${note}]</a></sup></p>`;

const footnotes = (count: number): string =>
  `<section class="footnotes"><ol>${Array.from(
    { length: count },
    (_, i) => `<li id="fn${i + 1}"><p>Operator notice ${i + 1}/2026, annex B, table ${i + 3}.</p></li>`,
  ).join('')}</ol></section>`;

const body = (report: number, from: number, count: number): string =>
  Array.from({ length: count }, (_, i) =>
    i === 3
      ? `<h2>What the logs show</h2>${paragraph(report, from + i, from + i + 1)}`
      : paragraph(report, from + i, from + i + 1),
  ).join('');

function longReport(i: number): { record: ReportRecord; paid?: PaidPart } {
  const id = `01KBENCH${String(i).padStart(18, '0')}`;
  const subscriber = i % 2 === 1;
  const publicHtml = subscriber ? body(i, 0, PARAGRAPHS_PREVIEW) : body(i, 0, PARAGRAPHS) + footnotes(PARAGRAPHS);
  const record: ReportRecord = {
    id,
    slug: `interconnector-filings-week-${i}`,
    revision: 1,
    createdAt: '2026-11-20T08:00:00.000Z',
    updatedAt: '2026-11-20T08:00:00.000Z',
    title: `Interconnector filings, week ${i}: outages outpace repairs`,
    summary: `Week ${i}: the operator's own filings show outages arriving faster than repairs, and a reserve margin below the threshold.`,
    tier: subscriber ? 'subscriber' : 'complimentary',
    series: publication.series[i % publication.series.length]?.id ?? 'power-lines',
    tags: ['grid', 'outages'],
    authors: ['Mara Quist'],
    publishAt: new Date(Date.UTC(2026, 10, 16, 7, i)).toISOString(),
    state: 'live',
    released: false,
    leadImage: {
      url: `https://img.lantern.example.net/interconnector-${i}.jpg`,
      alt: `Transmission towers on the northern interconnector, section ${i}`,
    },
    publicHtml,
    sourceRef: `source/${id}`,
    fingerprints: [],
    ...(subscriber ? { paidRef: `paid/${id}` } : {}),
  };
  if (!subscriber) return { record };
  return {
    record,
    paid: { subscriberMarkdown: `Paid part of report ${i}.`, fullHtml: body(i, 0, PARAGRAPHS) + footnotes(PARAGRAPHS) },
  };
}

export async function measureEditionSize(log: (line: string) => void): Promise<EditionSizeFigures> {
  const reports = Array.from({ length: REPORTS }, (_, i) => longReport(i));
  const recipient = {
    unsubscribeUrl: 'https://lantern.example.net/api/unsubscribe?token=tok0123456789abcdefghijklmnop',
    manageUrl: 'https://lantern.example.net/api/subscribers/manage?token=man0123456789abcdefghijklmnop',
    feedUrl: 'https://lantern.example.net/feeds/private/f0123456789abcdefghij/rss.xml',
  };
  const sizes = async (tier: ReaderTier) => {
    const views = reports.map(({ record, paid }) =>
      tier === 'free' ? publicView(record, publication) : paidView(record, paid, publication),
    );
    const content = buildEditionContent({
      id: 'edition-bench-30',
      date: new Date('2026-11-23T07:00:00Z'),
      tier,
      views,
    });
    const message = personalise(
      await compileEdition(content, publication),
      tier === 'free' ? { unsubscribeUrl: recipient.unsubscribeUrl, manageUrl: recipient.manageUrl } : recipient,
    );
    const bodies = views.reduce((sum, view) => sum + Buffer.byteLength(view.bodyHtml), 0);
    return { html: Buffer.byteLength(message.html), text: Buffer.byteLength(message.text), bodies };
  };
  const free = await sizes('free');
  const paid = await sizes('paid');
  const kB = (bytes: number) => round(bytes / 1024, 1);
  const longest = reports.find((r) => r.paid)?.paid?.fullHtml ?? '';
  const figures: EditionSizeFigures = {
    reports: REPORTS,
    reportHtmlKB: kB(Buffer.byteLength(longest)),
    htmlKB: { free: kB(free.html), paid: kB(paid.html) },
    textKB: { free: kB(free.text), paid: kB(paid.text) },
    bodiesKB: { free: kB(free.bodies), paid: kB(paid.bodies) },
    maxHtmlKB: kB(Math.max(free.html, paid.html)),
  };
  log(
    `edition size: ${REPORTS} reports of up to ${figures.reportHtmlKB} KB HTML each: free mail ${figures.htmlKB.free} KB HTML (report bodies ${figures.bodiesKB.free} KB) + ${figures.textKB.free} KB text, paid ${figures.htmlKB.paid} KB (bodies ${figures.bodiesKB.paid} KB) + ${figures.textKB.paid} KB`,
  );
  return figures;
}
