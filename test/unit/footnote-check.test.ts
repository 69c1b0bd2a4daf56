import { describe, expect, it } from 'vitest';
import { checkFootnotes } from '../../lambdas/core/reports/footnote-check';

const body = (...lines: string[]) => `${lines.join('\n')}\n`;
const undefinedIn = (markdown: string) => checkFootnotes(markdown).undefinedReferences;
const unusedIn = (markdown: string) => checkFootnotes(markdown).unusedDefinitions;

describe('checkFootnotes: references without a definition', () => {
  it('finds nothing wrong in a body whose every reference has its definition', () => {
    expect(checkFootnotes(body('Text.[^1] More.[^note]', '', '[^1]: One.', '', '[^note]: Two.'))).toEqual({
      undefinedReferences: [],
      unusedDefinitions: [],
    });
  });

  it('names the label and the line of each undefined reference, in body order', () => {
    const markdown = body(
      'Intro.',
      '',
      'A claim.[^1] Another.[^2]',
      'continued on a second line.[^3]',
      '',
      '[^1]: Source.',
    );
    expect(undefinedIn(markdown)).toEqual([
      { label: '2', line: 3 },
      { label: '3', line: 4 },
    ]);
  });

  it('finds them when the body has no definitions at all', () => {
    expect(undefinedIn(body('Only a reference.[^1]'))).toEqual([{ label: '1', line: 1 }]);
  });

  it('counts lines in quotes, lists, headings and table cells', () => {
    const markdown = body(
      '# A heading[^h]',
      '',
      '> quoted',
      '> text[^q]',
      '',
      '- item',
      '- item[^l]',
      '',
      '| a | b |',
      '| - | - |',
      '| x | y[^t] |',
    );
    expect(undefinedIn(markdown)).toEqual([
      { label: 'h', line: 1 },
      { label: 'q', line: 4 },
      { label: 'l', line: 7 },
      { label: 't', line: 11 },
    ]);
  });

  it('counts lines after a code span that crosses a line break', () => {
    expect(undefinedIn(body('Start `code', 'span` then[^x]'))).toEqual([{ label: 'x', line: 2 }]);
  });

  it('counts lines with CRLF endings', () => {
    expect(undefinedIn('First.\r\n\r\nSecond\r\nline.[^9]\r\n')).toEqual([{ label: '9', line: 4 }]);
  });

  it('finds a reference inside a definition that is itself undefined', () => {
    expect(undefinedIn(body('Text.[^1]', '', '[^1]: See also [^2].'))).toEqual([{ label: '2', line: 3 }]);
  });

  it('finds an undefined reference inside link text', () => {
    expect(undefinedIn(body('[a link[^5]](https://example.org/)'))).toEqual([{ label: '5', line: 1 }]);
  });

  it('tells labels apart by case: [^A] is not defined by [^a]:', () => {
    expect(undefinedIn(body('Text.[^A]', '', '[^a]: lower.'))).toEqual([{ label: 'A', line: 1 }]);
  });

  it.each([
    ['a code span', 'Use `[^2]` in your Markdown.'],
    ['a fenced code block', '```\n[^2]\n```'],
    ['an indented code block', 'Para.\n\n    [^2]'],
    ['an escaped bracket', 'Literally \\[^2] here.'],
    ["an editors' HTML comment", 'Text <!-- cite [^2] later --> more.'],
    ["an editors' comment block", '<!--\n[^2] to be found\n-->'],
    ['a link', 'See [^2](https://example.org/).'],
    ['a label with a space', 'A regex [^ a] in prose.'],
    ['an empty label', 'Brackets [^] alone.'],
    ['an inline footnote', 'An inline note.^[written here]'],
  ])('does not take %s for a reference', (_what, markdown) => {
    expect(undefinedIn(body(markdown))).toEqual([]);
  });

  it('takes a bracketed caret in prose for the reference it is to the parser, so the editor escapes it', () => {
    expect(undefinedIn(body('Characters matching [^a-z] are dropped.'))).toEqual([{ label: 'a-z', line: 1 }]);
  });
});

describe('checkFootnotes: definitions nothing cites', () => {
  it('names the label and the line of the definition', () => {
    const markdown = body('Text.[^1]', '', '[^1]: Cited.', '', '[^2]: Never cited.', '', '[^3]: Nor this.');
    expect(unusedIn(markdown)).toEqual([
      { label: '2', line: 5 },
      { label: '3', line: 7 },
    ]);
  });

  it('still counts a definition after the paywall cut as a definition, and a citation after it as a citation', () => {
    const markdown = body(
      'Public claim.[^1]',
      '',
      '<!-- paywall -->',
      '',
      'Paid claim.[^2]',
      '',
      '[^1]: Defined after the cut.',
      '',
      '[^2]: Also after it.',
      '',
      '[^3]: Cited by nobody.',
    );
    expect(checkFootnotes(markdown)).toEqual({
      undefinedReferences: [],
      unusedDefinitions: [{ label: '3', line: 11 }],
    });
  });

  it('counts a citation from inside another definition', () => {
    expect(unusedIn(body('Text.[^1]', '', '[^1]: See [^2].', '', '[^2]: Cited by [^1].'))).toEqual([]);
  });

  it('finds the definition line inside a quote and after a paragraph it interrupts', () => {
    const markdown = body('Text.', '[^1]: Interrupts the paragraph.', '', '> [^q]: Quoted definition.');
    expect(unusedIn(markdown)).toEqual([
      { label: '1', line: 2 },
      { label: 'q', line: 4 },
    ]);
  });

  it('finds the definition line when a reference-style link definition comes first', () => {
    const markdown = body('Text [site].', '', '[site]: https://example.org/', '[^x]: Unused.');
    expect(unusedIn(markdown)).toEqual([{ label: 'x', line: 4 }]);
  });

  it('does not take a definition-like line in a code block for a definition', () => {
    expect(checkFootnotes(body('Text.', '', '```', '[^1]: not a definition', '```'))).toEqual({
      undefinedReferences: [],
      unusedDefinitions: [],
    });
  });

  it('does not count a reference in a code span as a citation', () => {
    expect(unusedIn(body('Write `[^1]` to cite.', '', '[^1]: Unused after all.'))).toEqual([{ label: '1', line: 3 }]);
  });
});

describe('checkFootnotes: cost', () => {
  // Scanning for a label from every `[^` made these quadratic: 85 s and 16 s at this size.
  it.each([
    ['a 200 KB line of `[^`', '[^'.repeat(100_000)],
    ['a paragraph of 8,000 lines citing an undefined footnote', 'A claim.[^x] more text\n'.repeat(8_000)],
  ])('reads %s in linear time', { timeout: 60_000 }, (_what, markdown) => {
    const started = performance.now();
    checkFootnotes(markdown);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
