import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEditionContent } from '../../lambdas/core/digest/edition-content';
import { parseReportInput, prepareReport } from '../../lambdas/core/reports/intake';
import { PAYWALL_MARKER } from '../../lambdas/core/paywall/paywall-marker';
import { parsePublication } from '../../lambdas/core/shared/publication';
import { planPublish } from '../../lambdas/core/site/publishing';
import type { ReportRecord } from '../../lambdas/core/reports/report';
import { SitePublisher, type PublishedReports, type SiteFiles } from '../../lambdas/core/site/site-publisher';
import { publicView } from '../../lambdas/core/paywall/tiers';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import cdkJson from '../../cdk.json';

/**
 * Issue 9, item 7: random reports with marker variants and lookalikes, footnotes in every position, comments,
 * images, sentences shared between reports, through intake, every public renderer and the free digest. The
 * oracle is independent of the code under test: each sentence carries a unique canary word, and the generator
 * knows from block positions alone which sentences are subscriber-only. No canary of a subscriber-only sentence
 * may reach public output unless the same sentence stands in an accepted report's public part; no comment ever
 * reaches it; and the leak scan never fires on honest input (a false hit must never stub or freeze anything).
 */
const publication = parsePublication(cdkJson.context.dispatch);
/** 2,000 in `npm test`; `PAYWALL_RUNS=50000 npx vitest run test/unit/paywall-property.test.ts` for a deeper search. */
const RUNS = Number(process.env.PAYWALL_RUNS ?? 2000);
const NOW = new Date('2026-11-24T12:00:00Z');
const WORDS = ['gauge', 'weir', 'basin', 'sluice', 'tide', 'ledger', 'relay', 'motor', 'crest', 'annex', 'pump'];

const LOOKALIKES = [
  '<!-- paywal -->',
  '<!-- pay wall -->',
  '<!--- paywall --->',
  '<!—paywall—>',
  '<!-- paywall start -->',
  '<!-- pay\u200bwall -->',
  '<!-- p\u0430ywall -->',
  '<!--paywall-->',
  '<!-- PAYWALL -->',
  '> <!-- paywall -->',
];

type Block =
  | { kind: 'paragraph'; sentence: number; cites: string[]; inlineComment: number | null }
  | { kind: 'heading'; sentence: number }
  | { kind: 'quote'; sentence: number }
  | { kind: 'list'; sentence: number }
  | { kind: 'fence'; sentence: number }
  | { kind: 'image'; sentence: number }
  | { kind: 'def'; label: string; sentence: number; continuation: 'none' | 'lazy' | 'indented' }
  | { kind: 'comment'; sentence: number }
  | { kind: 'marker' }
  | { kind: 'lookalike'; text: string };

const LABELS = ['1', '2', 'a', 'src'];
/** Sentences are drawn from a small pool so that reports share some of them, on either side of their cut. */
const sentence = fc.integer({ min: 0, max: 40 });
const block: fc.Arbitrary<Block> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('paragraph' as const),
      sentence,
      cites: fc.array(fc.constantFrom(...LABELS), { maxLength: 2 }),
      inlineComment: fc.option(sentence, { freq: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heading' as const), sentence }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('quote' as const), sentence }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('list' as const), sentence }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fence' as const), sentence }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('image' as const), sentence }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('def' as const),
      label: fc.constantFrom(...LABELS),
      sentence,
      continuation: fc.constantFrom('none' as const, 'lazy' as const, 'indented' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('comment' as const), sentence }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('marker' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('lookalike' as const), text: fc.constantFrom(...LOOKALIKES) }),
  },
);
const reportSpec = fc.record({
  tier: fc.constantFrom('subscriber' as const, 'subscriber' as const, 'complimentary' as const),
  blocks: fc.array(block, { minLength: 1, maxLength: 10 }),
});
const caseSpec = fc.array(reportSpec, { minLength: 1, maxLength: 3 });

/** Nine words, the first a canary no other sentence has: enough for the scan's eight-word shingles. */
const text = (n: number) =>
  `Zqcanary${n}x ${Array.from({ length: 8 }, (_, i) => WORDS[(n * 7 + i * 3) % WORDS.length]).join(' ')}`;
const canary = (n: number) => `Zqcanary${n}x`;

const PROSE = new Set(['paragraph', 'quote', 'list', 'fence']);

function markdownOf(spec: { blocks: Block[] }, index: number): string[] {
  return spec.blocks.map((entry, position): string => {
    switch (entry.kind) {
      case 'paragraph': {
        const comment = entry.inlineComment === null ? '' : ` <!-- ${text(entry.inlineComment)} -->`;
        return `${text(entry.sentence)}${comment} now.${entry.cites.map((label) => `[^${label}]`).join('')}`;
      }
      case 'heading':
        return `## ${text(entry.sentence)}`;
      case 'quote':
        return `> ${text(entry.sentence)}.`;
      case 'list':
        return `${(index + position) % 2 ? '-' : '*'} ${text(entry.sentence)}.`;
      case 'fence':
        return `\`\`\`\n${text(entry.sentence)}\n\`\`\``;
      case 'image':
        return `![${text(entry.sentence)}](https://img.example.org/${position}.png)`;
      case 'def': {
        const first = `[^${entry.label}]: ${text(entry.sentence)}.`;
        if (entry.continuation === 'lazy') return `${first}\nlazy ${text(entry.sentence + 100)}.`;
        if (entry.continuation === 'indented') return `${first}\n\n    ${text(entry.sentence + 200)}.`;
        return first;
      }
      case 'comment':
        return `<!--\n${text(entry.sentence)}\n-->`;
      case 'marker':
        return PAYWALL_MARKER;
      case 'lookalike':
        return entry.text;
    }
  });
}

/** The sentences of a block, as the reader of the whole report would see them (comments are never seen). */
function visibleSentences(entry: Block): number[] {
  switch (entry.kind) {
    case 'def':
      return [
        entry.sentence,
        ...(entry.continuation === 'lazy' ? [entry.sentence + 100] : []),
        ...(entry.continuation === 'indented' ? [entry.sentence + 200] : []),
      ];
    case 'marker':
    case 'lookalike':
    case 'comment':
      return [];
    default:
      return [entry.sentence];
  }
}

/** The generator's own answer: which sentences of a report are public, which subscriber-only, which hidden. */
function expectation(spec: { tier: 'subscriber' | 'complimentary'; blocks: Block[] }) {
  const markerAt = spec.blocks.findIndex((entry) => entry.kind === 'marker');
  const proseAt = spec.blocks.flatMap((entry, index) => (PROSE.has(entry.kind) ? [index] : []));
  const lastPublic =
    spec.tier === 'complimentary'
      ? spec.blocks.length - 1
      : markerAt >= 0
        ? markerAt - 1
        : proseAt.length > 2
          ? (proseAt[1] ?? 0)
          : spec.blocks.length - 1;
  const publicSentences = new Set<number>();
  /** Public sentences that every rendering shows (an uncited footnote is not rendered at all). */
  const shownSentences = new Set<number>();
  const paidSentences = new Set<number>();
  const hidden = new Set<number>();
  spec.blocks.forEach((entry, index) => {
    const side = index <= lastPublic ? publicSentences : paidSentences;
    for (const n of visibleSentences(entry)) side.add(n);
    if (index <= lastPublic && PROSE.has(entry.kind) && 'sentence' in entry) shownSentences.add(entry.sentence);
    if (entry.kind === 'comment') hidden.add(entry.sentence);
    if (entry.kind === 'paragraph' && entry.inlineComment !== null) hidden.add(entry.inlineComment);
  });
  const lookalike = spec.blocks.some((entry) => entry.kind === 'lookalike');
  return { publicSentences, shownSentences, paidSentences, hidden, lookalike };
}

class MemorySite implements SiteFiles {
  readonly files = new Map<string, string>();
  async putIfChanged(key: string, body: string) {
    this.files.set(key, body);
    return 'written' as const;
  }
  async exists(key: string) {
    return this.files.has(key);
  }
  async delete(key: string) {
    this.files.delete(key);
  }
}

function intake(specs: { tier: 'subscriber' | 'complimentary'; blocks: Block[] }[]) {
  const accepted: { record: ReportRecord; expected: ReturnType<typeof expectation> }[] = [];
  specs.forEach((spec, index) => {
    const expected = expectation(spec);
    const parsed = parseReportInput(
      {
        title: `Report number ${index}`,
        summary: `Summary of report ${index}.`,
        body: markdownOf(spec, index).join('\n\n'),
        tier: spec.tier,
        series: publication.series[0]?.id ?? '',
        tags: ['Weirs'],
        publishAt: '2026-11-20T08:00:00Z',
      },
      publication,
    );
    if (expected.lookalike) expect(parsed.ok, 'a lookalike marker must be refused').toBe(false);
    if (!parsed.ok) return;
    const id = `01JPROP${String(index).padStart(19, '0')}`;
    const { record } = prepareReport(
      parsed.input,
      { id, slug: `report-${index}`, revision: 1, createdAt: NOW.toISOString() },
      publication,
      NOW,
    );
    accepted.push({ record, expected });
  });
  return accepted;
}

/** Canaries that may not appear in `output`: subscriber-only sentences nobody published, and every comment. */
function forbiddenCanaries(accepted: ReturnType<typeof intake>): string[] {
  const published = new Set(accepted.flatMap(({ expected }) => [...expected.publicSentences]));
  const secret = accepted.flatMap(({ expected }) => [
    ...[...expected.paidSentences].filter((n) => !published.has(n)),
    ...[...expected.hidden].filter((n) => !published.has(n)),
  ]);
  return [...new Set(secret)].map(canary);
}

describe('the paywall, property-based', () => {
  it(`no subscriber-only or hidden text reaches any public feed, page or archive; no false leak hit (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(caseSpec, async (specs) => {
        const accepted = intake(specs);
        if (accepted.length === 0) return;
        const records = accepted.map(({ record }) => record);
        const reports: PublishedReports = {
          latestPublished: async () => records,
          latestPublishedWithTag: async () => records,
          latestPublishedInSeries: async (id) => records.filter((record) => record.series === id),
          get: async (id) => records.find((record) => record.id === id),
        };
        const site = new MemorySite();
        const result = await new SitePublisher(reports, site, publication).publish(
          planPublish(records.map((record) => ({ after: { record, listed: true } }))),
        );
        expect(result.blocked).toEqual([]);
        const output = [...site.files.values()].join('\n');
        for (const word of forbiddenCanaries(accepted)) expect(output).not.toContain(word);
        // And what the editor published is there: the public sentences of every report.
        for (const { expected } of accepted) {
          for (const n of expected.shownSentences) expect(output).toContain(canary(n));
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`no subscriber-only or hidden text reaches the free digest: HTML, text, subject, preheader (${Math.ceil(RUNS / 7)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(caseSpec, async (specs) => {
        const accepted = intake(specs);
        if (accepted.length === 0) return;
        const content = buildEditionContent({
          id: 'edition-property',
          date: NOW,
          tier: 'free',
          views: accepted.map(({ record }) => publicView(record, publication)),
        });
        const compiled = await compileEdition(content, publication);
        const output = [compiled.subject, compiled.preheader, ...compiled.html.parts, ...compiled.text.parts].join(
          '\n',
        );
        for (const word of forbiddenCanaries(accepted)) expect(output).not.toContain(word);
      }),
      { numRuns: Math.ceil(RUNS / 7) },
    );
  }, 120_000);
});
