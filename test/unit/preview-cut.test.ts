import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PAYWALL_MARKER,
  WITHHELD_FOOTNOTE_TEXT,
  cutPreview,
  normaliseBody,
  reassemble,
} from '../../lambdas/core/paywall/preview-cut';

const md = (...lines: string[]) => lines.join('\n');

describe('cutPreview with the marker', () => {
  it('splits at a line that is exactly the marker and drops that line', () => {
    const cut = cutPreview(md('Levels rose overnight.', '', PAYWALL_MARKER, '', 'The south weir failed at 03:10.'));
    expect(cut).toMatchObject({
      publicMarkdown: 'Levels rose overnight.\n\n',
      subscriberMarkdown: '\nThe south weir failed at 03:10.\n',
      rule: 'marker',
      withheldFootnotes: [],
      markerProblems: [],
    });
  });

  it('accepts the marker with surrounding whitespace, before even the first paragraph', () => {
    const cut = cutPreview(md(`   ${PAYWALL_MARKER} \t`, 'Everything is for subscribers.'));
    expect(cut.rule).toBe('marker');
    expect(cut.publicMarkdown).toBe('');
    expect(cut.subscriberMarkdown).toBe('Everything is for subscribers.\n');
  });

  it('splits a paragraph when the marker line continues it', () => {
    const cut = cutPreview(md('Public sentence.', PAYWALL_MARKER, 'Paid sentence.'));
    expect(cut.publicMarkdown).toBe('Public sentence.\n');
    expect(cut.subscriberMarkdown).toBe('Paid sentence.\n');
  });

  it('cuts at the first marker and removes every marker line', () => {
    const cut = cutPreview(md('One.', '', PAYWALL_MARKER, '', 'Two.', '', PAYWALL_MARKER, '', 'Three.'));
    expect(cut.publicMarkdown).toBe('One.\n\n');
    expect(cut.subscriberMarkdown).toBe('\nTwo.\n\n\nThree.\n');
  });

  it.each([
    ['a backtick fence', md('```html', PAYWALL_MARKER, '```')],
    ['a tilde fence', md('~~~', PAYWALL_MARKER, '~~~')],
    ['an indented code block', `    ${PAYWALL_MARKER}`],
    ['a fence inside a list item', md('- step', '', '  ```', `  ${PAYWALL_MARKER}`, '  ```')],
  ])('never cuts at a marker inside %s, and reports it', (_, code) => {
    const cut = cutPreview(md('First.', '', code, '', 'Third.', '', 'Fourth.'));
    expect(cut.rule).toBe('first-two-paragraphs');
    expect(cut.subscriberMarkdown.trim()).toBe('Third.\n\nFourth.');
    expect(cut.markerProblems).toHaveLength(1);
  });

  it('never cuts at a marker that is not alone on its line, quoted, or inside a footnote definition', () => {
    const body = md(
      `Write ${PAYWALL_MARKER} to cut.[^how]`,
      '',
      `> ${PAYWALL_MARKER}`,
      '',
      `[^how]: Editors' guide.`,
      `    ${PAYWALL_MARKER}`,
      '',
      'Third.',
    );
    const cut = cutPreview(body);
    expect(cut.rule).not.toBe('marker');
    expect(cut.markerProblems.map((problem) => problem.line)).toEqual([1, 3, 6]);
  });
});

describe('cutPreview without the marker', () => {
  it('makes the first two paragraphs public', () => {
    const cut = cutPreview(md('First.', '', 'Second.', '', 'Third.', '', 'Fourth.'));
    expect(cut).toMatchObject({
      publicMarkdown: 'First.\n\nSecond.\n',
      subscriberMarkdown: '\nThird.\n\nFourth.\n',
      rule: 'first-two-paragraphs',
    });
  });

  it('does not count headings, rules or image-only paragraphs, but brings those before the cut along', () => {
    const body = md(
      '## Week 47',
      '',
      '![Weir at dusk](weir.jpg "The weir")',
      '',
      'First.',
      '',
      '---',
      '',
      'Second.',
      '',
      '## Outlook',
      '',
      'Third.',
    );
    const cut = cutPreview(body);
    expect(cut.publicMarkdown).toBe(
      md('## Week 47', '', '![Weir at dusk](weir.jpg "The weir")', '', 'First.', '', '---', '', 'Second.', ''),
    );
    expect(cut.subscriberMarkdown).toBe('\n## Outlook\n\nThird.\n');
  });

  it('counts quotes, lists and code blocks as paragraphs, and HTML comments not at all', () => {
    const cut = cutPreview(md('> A quote.', '', '<!-- note to self -->', '', '- a list', '- of items', '', 'Paid.'));
    expect(cut.publicMarkdown).toContain('> A quote.');
    expect(cut.publicMarkdown).toContain('- of items');
    expect(cut.subscriberMarkdown.trim()).toBe('Paid.');
  });

  it('leaves the subscriber part empty for a body of at most two paragraphs', () => {
    expect(cutPreview(md('## Brief', '', 'Only.', '', 'Two.', '', '![Map](map.png)'))).toMatchObject({
      publicMarkdown: '## Brief\n\nOnly.\n\nTwo.\n\n![Map](map.png)\n',
      subscriberMarkdown: '',
      rule: 'none',
    });
  });
});

describe('cutPreview and footnotes: position decides', () => {
  const body = md(
    'The gauge rose.[^gauge]',
    '',
    '[^gauge]: Gauge readings,',
    '    hourly.',
    '',
    'Both parts cite the memo.[^memo]',
    '',
    PAYWALL_MARKER,
    '',
    'Only subscribers read about the breach.[^memo]',
    '',
    '[^memo]: Engineer’s memo, confidential annex.',
    'Lazy continuation, still paid.',
    '',
    '    An indented paragraph of the same note.',
  );
  const cut = cutPreview(body);

  it('keeps a definition after the cut, its lazy line and its indented paragraph, out of the public part', () => {
    expect(cut.publicMarkdown).not.toMatch(/confidential|Lazy continuation|indented paragraph/);
    expect(cut.subscriberMarkdown).toContain('[^memo]: Engineer’s memo, confidential annex.');
    expect(cut.subscriberMarkdown).toContain('Lazy continuation, still paid.');
    expect(cut.subscriberMarkdown).toContain('An indented paragraph of the same note.');
  });

  it('gives a public citation of a paid footnote a stub that says the source is for subscribers', () => {
    expect(cut.withheldFootnotes).toEqual(['memo']);
    expect(cut.publicMarkdown).toBe(
      md(
        'The gauge rose.[^gauge]',
        '',
        '[^gauge]: Gauge readings,',
        '    hourly.',
        '',
        'Both parts cite the memo.[^memo]',
        '',
        `[^memo]: ${WITHHELD_FOOTNOTE_TEXT}`,
        '',
      ),
    );
  });

  it('keeps a definition before the cut public where it stands', () => {
    expect(cut.publicMarkdown).toContain('[^gauge]: Gauge readings,');
    expect(cut.subscriberMarkdown).not.toContain('Gauge readings');
  });

  it('applies the same rule to the two-paragraph cut', () => {
    const noMarker = cutPreview(md('First.[^a]', '', 'Second.', '', 'Third.', '', '[^a]: Secret source.'));
    expect(noMarker.publicMarkdown).toBe(md('First.[^a]', '', 'Second.', '', `[^a]: ${WITHHELD_FOOTNOTE_TEXT}`, ''));
    expect(noMarker.subscriberMarkdown).toContain('Secret source.');
  });
});

describe('cutPreview line endings', () => {
  it('keeps CRLF as written and uses it for the lines it adds', () => {
    const cut = cutPreview('First.[^a]\r\n\r\nSecond.\r\n\r\nThird.\r\n\r\n[^a]: Source.');
    expect(cut.publicMarkdown).toBe(`First.[^a]\r\n\r\nSecond.\r\n\r\n[^a]: ${WITHHELD_FOOTNOTE_TEXT}\r\n`);
    expect(cut.subscriberMarkdown).toBe('\r\nThird.\r\n\r\n[^a]: Source.\r\n');
  });

  it('treats a lone CR as a line end, as markdown-it does', () => {
    const cut = cutPreview(`One.\r\r${PAYWALL_MARKER}\r\rTwo.`);
    expect(cut).toMatchObject({ publicMarkdown: 'One.\r\r', subscriberMarkdown: '\rTwo.\n', rule: 'marker' });
  });
});

describe('reassemble', () => {
  it('gives back the body with the marker lines dropped and the stubs taken out', () => {
    const body = md('Intro.[^a]', '', PAYWALL_MARKER, '', 'Paid.', '', '[^a]: Ay.');
    const expected = md('Intro.[^a]', '', '', 'Paid.', '', '[^a]: Ay.', '');
    expect(normaliseBody(body)).toBe(expected);
    expect(reassemble(cutPreview(body))).toBe(expected);
  });

  it('is the identity on a body without marker that ends with a line end', () => {
    const body = md('# Title', '', 'First.', '', 'Second.', '', 'Third.', '');
    expect(reassemble(cutPreview(body))).toBe(body);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Property: random bodies built from known blocks, so the expected result is computed without the module's parser.

const WORDS = [
  'level',
  'gauge',
  'weir',
  'basin',
  'naïve',
  'café',
  'cafe\u0301',
  'محطة',
  'الرصد',
  '水位',
  '🌊',
  '👩‍🔬',
  'Ωmega',
  'río',
];
const LABELS = ['1', '2', '10', '02', 'a', 'Zed', 'مصدر'];

type BlockSpec =
  | { kind: 'paragraph'; words: string[]; more: string[] | null; refs: string[] }
  | { kind: 'heading'; level: number; words: string[]; refs: string[] }
  | { kind: 'quote'; words: string[]; refs: string[] }
  | { kind: 'list'; words: string[]; refs: string[] }
  | { kind: 'fence'; fence: string; marker: boolean }
  | { kind: 'image' }
  | { kind: 'def'; label: string; words: string[]; continuation: 'none' | 'indented' | 'lazy' | 'paragraph' }
  | { kind: 'marker'; indent: number; trailing: string };

const words = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 });
const refs = fc.array(fc.constantFrom(...LABELS, 'undefined-label'), { maxLength: 2 });
const blockSpec: fc.Arbitrary<BlockSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('paragraph' as const), words, more: fc.option(words), refs }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('heading' as const), level: fc.integer({ min: 1, max: 4 }), words, refs }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('quote' as const), words, refs }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('list' as const), words, refs }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fence' as const),
      fence: fc.constantFrom('```', '~~~'),
      marker: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('image' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('def' as const),
      label: fc.constantFrom(...LABELS),
      words,
      continuation: fc.constantFrom('none' as const, 'indented' as const, 'lazy' as const, 'paragraph' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('marker' as const),
      indent: fc.integer({ min: 0, max: 3 }),
      trailing: fc.constantFrom('', ' ', '\t'),
    }),
  },
);

const bodySpec = fc.record({
  blocks: fc.array(blockSpec, { minLength: 1, maxLength: 14 }),
  separators: fc.array(fc.constantFrom([''], ['', ''], ['  '], ['\t', '']), { minLength: 14, maxLength: 14 }),
  eols: fc.oneof(
    fc.constant(['\n']),
    fc.constant(['\r\n']),
    fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 1, maxLength: 7 }),
  ),
  finalEol: fc.boolean(),
});

interface SourceLine {
  text: string;
  eol: string;
  block: number;
}

/** The block's lines; `{x7}` tags make every block's text unique and findable. */
function linesOf(spec: BlockSpec, index: number): string[] {
  const cite = (labels: string[]) => labels.map((label) => ` [^${label}]`).join('');
  const tag = (letter: string) => `{${letter}${index}}`;
  switch (spec.kind) {
    case 'paragraph':
      return [`${tag('p')} ${spec.words.join(' ')}${cite(spec.refs)}`, ...(spec.more ? [spec.more.join(' ')] : [])];
    case 'heading':
      return [`${'#'.repeat(spec.level)} ${tag('h')} ${spec.words.join(' ')}${cite(spec.refs)}`];
    case 'quote':
      return [`> ${tag('q')} ${spec.words.join(' ')}`, `> quoted${cite(spec.refs)}`];
    case 'list':
      // Alternating bullets: two lists with the same bullet and a blank line between are one list.
      return [
        `${index % 2 ? '+' : '-'} ${tag('l')} ${spec.words.join(' ')}`,
        `${index % 2 ? '+' : '-'} item${cite(spec.refs)}`,
      ];
    case 'fence':
      return [spec.fence, ...(spec.marker ? [PAYWALL_MARKER] : []), `code ${tag('c')} [^1]`, spec.fence];
    case 'image':
      return [`![Alt ${tag('i')}](img/${index}.png "Caption ${tag('i')}")`];
    case 'def': {
      const first = `[^${spec.label}]: ${tag('d')} ${spec.words.join(' ')}`;
      if (spec.continuation === 'indented') return [first, `    more ${tag('d')}`];
      if (spec.continuation === 'lazy') return [first, `lazy ${tag('d')}`];
      if (spec.continuation === 'paragraph') return [first, '', `    second ${tag('d')}`];
      return [first];
    }
    case 'marker':
      return [`${' '.repeat(spec.indent)}${PAYWALL_MARKER}${spec.trailing}`];
  }
}

const PROSE = new Set(['paragraph', 'quote', 'list', 'fence']);

function scenario(spec: {
  blocks: BlockSpec[];
  separators: readonly (readonly string[])[];
  eols: readonly string[];
  finalEol: boolean;
}) {
  const lines: SourceLine[] = [];
  spec.blocks.forEach((block, index) => {
    if (index > 0)
      for (const text of spec.separators[index % spec.separators.length] ?? [''])
        lines.push({ text, eol: '', block: -1 });
    for (const text of linesOf(block, index)) lines.push({ text, eol: '', block: index });
  });
  lines.forEach((line, index) => (line.eol = spec.eols[index % spec.eols.length] ?? '\n'));
  const last = lines[lines.length - 1];
  if (last && !spec.finalEol) last.eol = '';
  const body = lines.map((line) => line.text + line.eol).join('');

  // Expected normal form, straight from the blocks: the marker lines go, the last line gets a terminator.
  const kindOf = (line: SourceLine) => spec.blocks[line.block]?.kind;
  const kept = lines.filter((line) => kindOf(line) !== 'marker');
  const eol = kept.some((line) => line.eol === '\r\n') ? '\r\n' : '\n';
  const keptLast = kept[kept.length - 1];
  if (keptLast && keptLast.eol === '') keptLast.eol = eol;
  const normalised = kept.map((line) => line.text + line.eol).join('');

  // Expected cut, straight from the blocks: position decides, footnote definitions included.
  const markerAt = spec.blocks.findIndex((block) => block.kind === 'marker');
  const proseAt = spec.blocks.flatMap((block, index) => (PROSE.has(block.kind) ? [index] : []));
  const rule = markerAt >= 0 ? 'marker' : proseAt.length > 2 ? 'first-two-paragraphs' : 'none';
  const lastPublic = markerAt >= 0 ? markerAt - 1 : proseAt.length > 2 ? (proseAt[1] ?? 0) : spec.blocks.length - 1;
  const isPublic = (index: number) => index <= lastPublic;
  const defsAt = (side: (index: number) => boolean) =>
    new Set(spec.blocks.flatMap((block, index) => (block.kind === 'def' && side(index) ? [block.label] : [])));
  const [publicDefs, paidDefs] = [defsAt(isPublic), defsAt((index) => !isPublic(index))];
  const withheld = [
    ...new Set(
      spec.blocks.flatMap((block, index) =>
        'refs' in block && isPublic(index)
          ? block.refs.filter((label) => paidDefs.has(label) && !publicDefs.has(label))
          : [],
      ),
    ),
  ];
  return { body, normalised, rule, isPublic, withheld };
}

describe('cutPreview properties', () => {
  const arbitrary = bodySpec.map((spec) => ({ spec, ...scenario(spec) }));

  it('reassembles to the normalised body, and every block lands on the side its position gives it', () => {
    fc.assert(
      fc.property(arbitrary, ({ spec, body, normalised, rule, isPublic, withheld }) => {
        const cut = cutPreview(body);
        expect(cut.rule).toBe(rule);
        expect(normaliseBody(body)).toBe(normalised);
        expect(reassemble(cut)).toBe(normalised);
        expect(normaliseBody(normalised)).toBe(normalised);
        expect([...cut.withheldFootnotes].sort()).toEqual([...withheld].sort());

        spec.blocks.forEach((block, index) => {
          if (block.kind === 'marker') return;
          const tag = new RegExp(`\\{[a-z]${index}\\}`);
          expect(tag.test(cut.publicMarkdown)).toBe(isPublic(index));
          expect(tag.test(cut.subscriberMarkdown)).toBe(!isPublic(index));
        });
        // Marker lines survive only as code, and each of those is reported.
        const markerLines = `${cut.publicMarkdown}${cut.subscriberMarkdown}`
          .split(/\r\n|\n/)
          .filter((line) => line.trim() === PAYWALL_MARKER);
        const inCode = spec.blocks.filter((block) => block.kind === 'fence' && block.marker).length;
        expect(markerLines.length).toBe(inCode);
        expect(cut.markerProblems.length).toBe(inCode);
      }),
      { numRuns: 1000 },
    );
  });
});
