import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAYWALL_MARKER, cutPreview, normaliseBody, reassemble } from '../../lambdas/core/preview-cut';

const md = (...lines: string[]) => lines.join('\n');

describe('cutPreview with the marker', () => {
  it('splits at a line that is exactly the marker and drops that line', () => {
    const cut = cutPreview(md('Levels rose overnight.', '', PAYWALL_MARKER, '', 'The south weir failed at 03:10.'));
    expect(cut).toEqual({
      publicMarkdown: 'Levels rose overnight.\n\n',
      subscriberMarkdown: '\nThe south weir failed at 03:10.\n',
      usedMarker: true,
    });
  });

  it('accepts the marker with surrounding whitespace, before even the first paragraph', () => {
    const cut = cutPreview(md(`   ${PAYWALL_MARKER} \t`, 'Everything is for subscribers.'));
    expect(cut.usedMarker).toBe(true);
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
  ])('ignores a marker inside %s', (_, code) => {
    const cut = cutPreview(md('First.', '', code, '', 'Third.', '', 'Fourth.'));
    expect(cut.usedMarker).toBe(false);
    expect(cut.publicMarkdown).toContain(PAYWALL_MARKER);
    expect(cut.subscriberMarkdown.trim()).toBe('Third.\n\nFourth.');
  });

  it('ignores a marker that is not alone on its line, quoted, or inside a footnote definition', () => {
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
    expect(cutPreview(body).usedMarker).toBe(false);
  });
});

describe('cutPreview without the marker', () => {
  it('makes the first two paragraphs public', () => {
    const cut = cutPreview(md('First.', '', 'Second.', '', 'Third.', '', 'Fourth.'));
    expect(cut).toEqual({
      publicMarkdown: 'First.\n\nSecond.\n',
      subscriberMarkdown: '\nThird.\n\nFourth.\n',
      usedMarker: false,
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

  it('counts quotes, lists and code blocks as paragraphs', () => {
    const cut = cutPreview(md('> A quote.', '', '- a list', '- of items', '', 'Paid paragraph.'));
    expect(cut.publicMarkdown).toContain('> A quote.');
    expect(cut.publicMarkdown).toContain('- of items');
    expect(cut.publicMarkdown).not.toContain('Paid paragraph.');
    expect(cut.subscriberMarkdown).toContain('Paid paragraph.');
  });

  it('leaves the subscriber part empty for a body of at most two paragraphs', () => {
    expect(cutPreview(md('## Brief', '', 'Only.', '', 'Two.', '', '![Map](map.png)'))).toEqual({
      publicMarkdown: '## Brief\n\nOnly.\n\nTwo.\n\n![Map](map.png)\n',
      subscriberMarkdown: '',
      usedMarker: false,
    });
  });
});

describe('cutPreview and footnotes', () => {
  const body = md(
    'The gauge rose.[^gauge]',
    '',
    'Both parts cite the log.[^log]',
    '',
    'Only subscribers read about the breach.[^breach] And the log again.[^log]',
    '',
    '[^breach]: Engineer’s memo, confidential annex.',
    '[^log]: Station 12 log.',
    '[^gauge]: Gauge readings,',
    '    hourly.',
    '[^unused]: Never cited.',
  );
  const cut = cutPreview(body);

  it('gives the public part the definitions it references, at its end, sorted by label', () => {
    expect(cut.publicMarkdown).toBe(
      md(
        'The gauge rose.[^gauge]',
        '',
        'Both parts cite the log.[^log]',
        '',
        '[^gauge]: Gauge readings,',
        '    hourly.',
        '',
        '[^log]: Station 12 log.',
        '',
      ),
    );
  });

  it('keeps every other definition, cited or not, with the subscriber part', () => {
    expect(cut.subscriberMarkdown).toBe(
      md(
        '',
        'Only subscribers read about the breach.[^breach] And the log again.[^log]',
        '',
        '',
        '[^breach]: Engineer’s memo, confidential annex.',
        '',
        '[^unused]: Never cited.',
        '',
      ),
    );
    expect(cut.publicMarkdown).not.toContain('confidential');
  });

  it('orders definitions by label, all-digit labels numerically first', () => {
    const numbered = cutPreview(
      md('A[^10] B[^2] C[^x] D[^02]', '', '[^x]: x', '[^10]: ten', '[^02]: oh-two', '[^2]: two'),
    );
    // The blank line after the paragraph is content; one more separates the definitions.
    expect(numbered.publicMarkdown).toBe(
      md('A[^10] B[^2] C[^x] D[^02]', '', '', '[^02]: oh-two', '', '[^2]: two', '', '[^10]: ten', '', '[^x]: x', ''),
    );
  });
});

describe('cutPreview line endings', () => {
  it('keeps CRLF as written and uses it for the lines it adds', () => {
    const cut = cutPreview('First.[^a]\r\n\r\nSecond.\r\n\r\nThird.\r\n\r\n[^a]: Source.');
    expect(cut.publicMarkdown).toBe('First.[^a]\r\n\r\nSecond.\r\n\r\n[^a]: Source.\r\n');
    expect(cut.subscriberMarkdown).toBe('\r\nThird.\r\n\r\n');
  });

  it('treats a lone CR as a line end, as markdown-it does', () => {
    const cut = cutPreview(`One.\r\r${PAYWALL_MARKER}\r\rTwo.`);
    expect(cut).toEqual({ publicMarkdown: 'One.\r\r', subscriberMarkdown: '\rTwo.\n', usedMarker: true });
  });
});

describe('reassemble', () => {
  it('gives back the body with the marker dropped and the definitions gathered at the end', () => {
    const body = md('Intro.[^b]', '', PAYWALL_MARKER, '', 'Paid.[^a]', '', '[^b]: Bee.', '', 'Coda.', '', '[^a]: Ay.');
    const expected = md('Intro.[^b]', '', '', 'Paid.[^a]', '', '', 'Coda.', '', '[^a]: Ay.', '', '[^b]: Bee.', '');
    expect(normaliseBody(body)).toBe(expected);
    expect(reassemble(cutPreview(body))).toBe(expected);
  });

  it('is the identity on a body without marker or definitions that ends with a line end', () => {
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

function compareLabels(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) !== numeric.test(b)) return numeric.test(a) ? -1 : 1;
  if (numeric.test(a)) {
    const [x, y] = [a.replace(/^0+(?=\d)/, ''), b.replace(/^0+(?=\d)/, '')];
    if (x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

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

  // Expected normal form, straight from the blocks.
  const kindOf = (line: SourceLine) => spec.blocks[line.block]?.kind;
  const kept = lines.filter((line) => kindOf(line) !== 'marker');
  const eol = kept.some((line) => line.eol === '\r\n') ? '\r\n' : '\n';
  const keptLast = kept[kept.length - 1];
  if (keptLast && keptLast.eol === '') keptLast.eol = eol;
  const contentLines = kept.filter((line) => kindOf(line) !== 'def');
  const hasDefs = spec.blocks.some((block) => block.kind === 'def');
  while (hasDefs && contentLines.length > 0 && /^[ \t]*$/.test(contentLines[contentLines.length - 1]?.text ?? '')) {
    contentLines.pop();
  }
  const content = contentLines.map((line) => line.text + line.eol).join('');
  const defs = spec.blocks
    .map((block, index) => ({ block, index }))
    .filter(
      (entry): entry is { block: Extract<BlockSpec, { kind: 'def' }>; index: number } => entry.block.kind === 'def',
    )
    .sort((a, b) => compareLabels(a.block.label, b.block.label));
  const defText = (index: number) =>
    kept
      .filter((line) => line.block === index)
      .map((line) => line.text + line.eol)
      .join('');
  const normalised =
    defs.length === 0 ? content : content + (content ? eol : '') + defs.map(({ index }) => defText(index)).join(eol);

  // Expected cut, straight from the blocks.
  const markerAt = spec.blocks.findIndex((block) => block.kind === 'marker');
  const proseAt = spec.blocks.flatMap((block, index) => (PROSE.has(block.kind) ? [index] : []));
  const lastPublic = markerAt >= 0 ? markerAt - 1 : proseAt.length > 2 ? (proseAt[1] ?? 0) : spec.blocks.length - 1;
  const isPublic = (index: number) => index <= lastPublic;
  const defined = new Set(defs.map(({ block }) => block.label));
  const publicLabels = new Set(
    spec.blocks.flatMap((block, index) =>
      'refs' in block && isPublic(index) ? block.refs.filter((label) => defined.has(label)) : [],
    ),
  );
  return { body, normalised, usedMarker: markerAt >= 0, isPublic, publicLabels };
}

describe('cutPreview properties', () => {
  const arbitrary = bodySpec.map((spec) => ({ spec, ...scenario(spec) }));

  it('reassembles to the normalised body and keeps subscriber-only text out of the public part', () => {
    fc.assert(
      fc.property(arbitrary, ({ spec, body, normalised, usedMarker, isPublic, publicLabels }) => {
        const cut = cutPreview(body);
        expect(cut.usedMarker).toBe(usedMarker);
        expect(normaliseBody(body)).toBe(normalised);
        expect(reassemble(cut)).toBe(normalised);
        expect(normaliseBody(normalised)).toBe(normalised);

        spec.blocks.forEach((block, index) => {
          if (block.kind === 'marker') return;
          const tag = new RegExp(`\\{[a-z]${index}\\}`);
          if (block.kind === 'def') {
            const inPublic = publicLabels.has(block.label);
            expect(tag.test(cut.publicMarkdown)).toBe(inPublic);
            expect(tag.test(cut.subscriberMarkdown)).toBe(!inPublic);
          } else {
            expect(tag.test(cut.publicMarkdown)).toBe(isPublic(index));
            expect(tag.test(cut.subscriberMarkdown)).toBe(!isPublic(index));
          }
        });
        // Marker lines survive only as code.
        const markerLines = `${cut.publicMarkdown}${cut.subscriberMarkdown}`
          .split(/\r\n|\n/)
          .filter((line) => line.trim() === PAYWALL_MARKER);
        expect(markerLines.length).toBe(spec.blocks.filter((block) => block.kind === 'fence' && block.marker).length);
      }),
      { numRuns: 1000 },
    );
  });
});
