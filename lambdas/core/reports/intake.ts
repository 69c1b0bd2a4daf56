import { createHash } from 'node:crypto';
import { dateFieldInstant, normaliseDateline } from '../shared/datelines';
import { resolveFreeAt } from '../shared/durations';
import { fingerprintSubscriberPart, wordsOf } from '../paywall/fingerprints';
import { findImagesWithoutAlt, renderMarkdown } from '../shared/markdown';
import { cutPreview, normaliseBody, PAYWALL_MARKER, type CutRule, type PreviewCut } from '../paywall/preview-cut';
import type { Publication } from '../shared/publication';
import { checkFootnotes, type FootnoteAt } from './footnote-check';
import { reportInputSchema, type PaidPart, type ReportInput, type ReportRecord } from './report';
import { liveAtFor } from './report-lifecycle';
import { sanitizeStrings } from '../shared/text-safety';
import { publicBoilerplate } from '../paywall/tiers';
import { reportPageUrl } from '../shared/reader-urls';

/**
 * Report intake, pure: validation beyond the schema, the preview cut (once, here), rendering, fingerprints and
 * the split into what the reports table may hold and what only the vault may hold.
 */
export type IntakeProblem =
  | { kind: 'invalid'; fields: { field: string; message: string }[] }
  | { kind: 'too-large'; field: string; message: string };

export type ParsedInput = { ok: true; input: ReportInput } | { ok: false; problem: IntakeProblem };

/** XML-illegal characters are stripped before anything else sees the input, so no channel ever gets them. */
export function parseReportInput(raw: Record<string, unknown>, publication: Publication): ParsedInput {
  const cleaned = sanitizeStrings(raw);
  const result = reportInputSchema(publication).safeParse(cleaned);
  if (!result.success) {
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        fields: result.error.issues.map((issue) => ({
          field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)',
          message: issue.message,
        })),
      },
    };
  }
  const input = result.data;
  const bytes = Buffer.byteLength(input.body, 'utf8');
  if (bytes > publication.maxBodyBytes) {
    return {
      ok: false,
      problem: {
        kind: 'too-large',
        field: 'body',
        message: `is ${bytes} bytes; the limit is ${publication.maxBodyBytes} bytes`,
      },
    };
  }
  const missingAlt = findImagesWithoutAlt(input.body);
  if (missingAlt > 0) {
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        fields: [
          { field: 'body', message: `has ${missingAlt} image(s) without alt text; write ![what it shows](url)` },
        ],
      },
    };
  }
  const cut = cutPreview(input.body);
  const problems = [
    ...paywallProblems(cut, input.tier),
    ...undefinedFootnoteProblems(checkFootnotes(input.body).undefinedReferences),
  ];
  if (problems.length > 0) return { ok: false, problem: { kind: 'invalid', fields: problems } };
  return { ok: true, input };
}

/** Footnote problems named one by one; the rest are counted, since a body may hold thousands. */
const LISTED_FOOTNOTES = 10;

function listedWithCount<T>(items: readonly T[], describe: (item: T) => string, rest: (count: number) => string) {
  const listed = items.slice(0, LISTED_FOOTNOTES).map(describe);
  return items.length > LISTED_FOOTNOTES ? [...listed, rest(items.length - LISTED_FOOTNOTES)] : listed;
}

/** Published as it stands, `[^2]` would reach readers as literal text; the editor meant a source. */
function undefinedFootnoteProblems(references: readonly FootnoteAt[]): { field: string; message: string }[] {
  return listedWithCount(
    references,
    ({ label, line }) =>
      `line ${line} cites footnote [^${label}], which is never defined: add a line \`[^${label}]: the source\`, or write \\[^${label}] for the brackets as text`,
    (count) => `cites ${count} more undefined footnote(s) after those`,
  ).map((message) => ({ field: 'body', message }));
}

/** The rendered Sources list leaves out what nothing cites: the editor may have forgotten a citation. */
function uncitedFootnoteWarnings(definitions: readonly FootnoteAt[]): string[] {
  return listedWithCount(
    definitions,
    ({ label, line }) =>
      `footnote [^${label}] on line ${line} is never cited: readers will not see it; cite it with [^${label}] or remove it`,
    (count) => `${count} more footnote definition(s) are never cited`,
  );
}

/**
 * The cut fails open by nature (no marker → two paragraphs public), so an editor's intent is never guessed: a
 * line that resembles the marker without being one, on any tier (the tier may be the typo), and a subscriber cut
 * that leaves subscribers nothing are refused rather than published.
 */
function paywallProblems(cut: PreviewCut, tier: ReportInput['tier']): { field: string; message: string }[] {
  const problems = cut.markerProblems.map((problem) => ({
    field: 'body',
    message: `line ${problem.line} ${problem.message}`,
  }));
  if (problems.length > 0 || tier !== 'subscriber') return problems;
  const subscriberProse = cut.subscriberMarkdown
    .split(/\r?\n/)
    .filter((text) => text.trim() !== '' && !/^\s*\[\^[^\]]+\]:/.test(text));
  if (subscriberProse.length === 0) {
    return [
      {
        field: 'body',
        message: `leaves nothing for subscribers: add ${PAYWALL_MARKER} where the subscriber-only part begins, or make the report complimentary`,
      },
    ];
  }
  return [];
}

export interface PartSize {
  words: number;
  bytes: number;
}

/** What an editor is told about the cut of what they submitted: which rule applied, the parts, and warnings. */
export interface CutSummary {
  cut: CutRule;
  parts: { public: PartSize; subscriber: PartSize };
  warnings: string[];
}

const sizeOf = (markdown: string): PartSize => ({
  words: wordsOf(markdown).length,
  bytes: Buffer.byteLength(markdown, 'utf8'),
});

function summariseCut(input: ReportInput, cut: PreviewCut, released: boolean): CutSummary {
  const warnings = uncitedFootnoteWarnings(checkFootnotes(input.body).unusedDefinitions);
  const comments = (input.body.match(/<!--[\s\S]*?-->/g) ?? []).filter((text) => text.trim() !== PAYWALL_MARKER);
  if (comments.length > 0) {
    warnings.push(`${comments.length} HTML comment(s) in the body are notes for editors: readers never see them`);
  }
  if (input.tier === 'complimentary' || released) {
    if (cut.rule === 'marker') {
      warnings.push(
        released
          ? 'freeAfter has passed: the whole report is public, the paywall marker has no effect'
          : 'the report is complimentary: the whole report is public, the paywall marker has no effect',
      );
    }
    return { cut: 'none', parts: { public: sizeOf(input.body), subscriber: sizeOf('') }, warnings };
  }
  if (cut.rule === 'first-two-paragraphs') {
    warnings.push(
      `no paywall marker: the first two paragraphs are public; put ${PAYWALL_MARKER} on its own line to choose the cut`,
    );
  }
  for (const label of cut.withheldFootnotes) {
    warnings.push(
      `footnote [^${label}] is cited before the cut but defined after it: the public sees its number and "source available to subscribers"`,
    );
  }
  return {
    cut: cut.rule,
    parts: {
      public: sizeOf(cut.publicMarkdown.slice(0, cut.publicMarkdown.length - cut.withheldStubs.length)),
      subscriber: sizeOf(cut.subscriberMarkdown),
    },
    warnings,
  };
}

export interface VaultObject {
  key: string;
  body: string;
  contentType: string;
}

export interface PreparedReport {
  record: ReportRecord;
  /** For the editor: the rule that cut the report, the size of each part, warnings. */
  cut: CutSummary;
  /** HTML of the subscriber-only part on its own ('' for a report that is public in full). */
  subscriberHtml: string;
  /** What the vault holds under `record.paidRef`, for renderers of a paid reader's view; subscriber reports only. */
  paid?: PaidPart;
  /** Written before the table item that references them: a crash leaves at most an unreferenced object. */
  vaultObjects: VaultObject[];
}

export interface Identity {
  id: string;
  slug: string;
  revision: number;
  createdAt: string;
  /** On a correction, the publishAt to keep when the editor gives none. */
  previousPublishAt?: string;
  /** On a correction, when the report went live: a report already live stays where it was listed and mailed. */
  previousLiveAt?: string;
  /** On a correction, the dateline and mail flag to keep when the editor gives none (as for publishAt). */
  previousDateline?: string;
  previousMail?: false;
}

export function prepareReport(
  input: ReportInput,
  identity: Identity,
  publication: Publication,
  now: Date,
): PreparedReport {
  const url = reportPageUrl(publication, identity.slug);
  // Footnote links are absolute too: the same HTML goes into feeds, read far from the page.
  const render = (markdown: string): string => renderMarkdown(markdown, { baseUrl: url, absoluteFragments: url });
  const publishAt = dateFieldInstant(input.publishAt ?? identity.previousPublishAt ?? now.toISOString());
  const liveAt = liveAtFor(publishAt, now, identity.previousLiveAt);
  const dateline = input.dateline === undefined ? identity.previousDateline : normaliseDateline(input.dateline);
  const mail = input.mail ?? identity.previousMail ?? true;
  const freeAt = input.tier === 'subscriber' && input.freeAfter ? resolveFreeAt(input.freeAfter, publishAt) : undefined;
  const source = contentAddressed('source/', JSON.stringify(input), 'application/json');

  const base = {
    id: identity.id,
    slug: identity.slug,
    revision: identity.revision,
    createdAt: identity.createdAt,
    updatedAt: now.toISOString(),
    title: input.title,
    summary: input.summary,
    tier: input.tier,
    series: input.series,
    tags: input.tags,
    authors: input.authors,
    ...(input.leadImage ? { leadImage: input.leadImage } : {}),
    publishAt,
    liveAt,
    ...(dateline === undefined ? {} : { dateline }),
    ...(mail ? {} : { mail: false as const }),
    ...(input.freeAfter && freeAt ? { freeAfter: input.freeAfter, freeAt } : {}),
    state: 'live' as const,
    sourceRef: source.key,
  };

  const fullHtml = render(normaliseBody(input.body));
  const cut = cutPreview(input.body);
  if (input.tier === 'complimentary') {
    return {
      record: { ...base, released: false, publicHtml: fullHtml, fingerprints: [] },
      cut: summariseCut(input, cut, false),
      subscriberHtml: '',
      vaultObjects: [source],
    };
  }

  const paidPart: PaidPart = { subscriberMarkdown: cut.subscriberMarkdown, fullHtml };
  const paid = contentAddressed('paid/', JSON.stringify(paidPart), 'application/json');
  // Already past freeAfter at intake (a back-dated report): public in full from the start.
  const released = freeAt !== undefined && Date.parse(freeAt) <= now.getTime();
  const publicHtml = released ? fullHtml : render(cut.publicMarkdown);
  // The public part both as written and as rendered: rendering moves footnotes and drops uncited ones, which
  // puts words side by side that the Markdown keeps apart, and what the public reads is no secret either way.
  // Tags, authors and the lead image's alt text and caption are shown with every item, stub or not.
  const publicText = [
    input.title,
    input.summary,
    ...input.tags,
    ...input.authors,
    input.leadImage?.alt ?? '',
    input.leadImage?.caption ?? '',
    cut.publicMarkdown,
    publicHtml,
    publicBoilerplate(publication),
  ].join('\n\n');
  return {
    record: {
      ...base,
      released,
      publicHtml,
      paidRef: paid.key,
      fingerprints: released ? [] : fingerprintSubscriberPart(cut.subscriberMarkdown, publicText),
    },
    cut: summariseCut(input, cut, released),
    subscriberHtml: released ? '' : render(`${cut.subscriberMarkdown}\n\n${cut.publicDefinitions}`),
    paid: paidPart,
    vaultObjects: [source, paid],
  };
}

function contentAddressed(prefix: string, body: string, contentType: string): VaultObject {
  const digest = createHash('sha256').update(body, 'utf8').digest('hex');
  return { key: `${prefix}${digest}.json`, body, contentType };
}
