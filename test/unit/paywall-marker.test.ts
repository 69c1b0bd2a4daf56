import { describe, expect, it } from 'vitest';
import { foldForMarker, markerProblems, PAYWALL_MARKER } from '../../lambdas/core/paywall/paywall-marker';

const problemsOf = (...lines: string[]) => markerProblems(lines, new Set());

describe('markerProblems: anything that resembles the marker is refused with its line', () => {
  it.each([
    '<!-- paywal -->',
    '<!-- pay-wall -->',
    '<!-- pay wall -->',
    '<!--- paywall --->',
    '<!—paywall—>',
    '<!–– paywall ––>',
    '<!-- paywall start -->',
    '<!-- end of paywall -->',
    '<!-- paywall: -->',
    '<!- paywall -->',
    '<!-- paywall>',
    '<!-- paywall -- >',
    '<!-- pay\u200bwall -->',
    '\u200b<!-- paywall -->',
    '<!--\u00a0paywall -->',
    '<!-- p\u0430ywall -->',
    '<!-- ｐａｙｗａｌｌ -->',
    '<!-- pàywall -->',
    '<!-- paywa11 -->',
    '<!-- PAYWALL -->',
    '<!--paywall-->',
    '<!-- paywlal -->',
    '<-- paywall -->',
    '<!-- pay\u00adwall -->',
    'paywall',
    'PAY WALL',
    '-- paywall --',
    '> <!-- paywall -->',
    '- <!-- paywall -->',
    'Text before <!-- paywall --> text after',
    '&lt;!-- paywall --&gt;',
    '&#60;!-- paywall --&#62;',
    '‹!-- ᴘᴀʏᴡᴀʟʟ -->',
    '<!-- ᏢᎪᎩᏔᎪᏞᏞ -->',
    '<!-- pay&shy;wall -->',
    '%3C!--%20paywall%20--%3E',
    // The second attacker's pass: wrapped words and other brackets.
    '[paywall]',
    '<paywall/>',
    '{% paywall %}',
    'ᐸ!-- paywall --ᐳ',
    'PAYWALL',
  ])('%j', (line) => {
    const problems = problemsOf('Opening paragraph.', '', line, '', 'More.');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(3);
    expect(problems[0]?.message).toContain(PAYWALL_MARKER);
  });

  it('refuses a comment that spells the word across lines', () => {
    expect(problemsOf('One.', '<!--', 'pay', 'wall', '-->', 'Two.').map((problem) => problem.line)).toContain(2);
  });

  it('reports an exact marker the cut could not use, and says why', () => {
    const [problem] = problemsOf('```', PAYWALL_MARKER, '```');
    expect(problem?.message).toMatch(/cannot use it/);
  });

  it('takes the marker lines the cut used as they are', () => {
    expect(markerProblems(['One.', '', PAYWALL_MARKER, '', 'Two.'], new Set([2]))).toEqual([]);
  });
});

describe('markerProblems: ordinary prose is never refused', () => {
  it.each([
    'Publishers put up a paywall in 2019 and readers left.',
    'The paywall debate is old.',
    '## Paywalls and their discontents',
    'Payroll',
    '## Payroll',
    'Payroll -- 2024',
    'See <https://example.org/paywall-news> for the story.',
    '<!-- TODO: check the payroll figures -->',
    'A -> B -> paid walls',
    'Most publishers moved behind a paywall in 2020. <!-- source: Reuters -->',
    'Shoppers still pay Walmart prices in the north. <!-- verify figure -->',
    '<!-- we pay all invoices monthly -->',
    'Conversion funnel: paid plan <- paywall <- newsletter.',
    '| pay | wall |',
    '## Paywalls',
    '- Paywall',
    'Paywalls',
    'The funnel is simple: free newsletter -> paywall -> paid plan.',
  ])('%j', (line) => {
    expect(problemsOf('Opening.', '', line, '', 'More.')).toEqual([]);
  });

  it('refuses the word alone on a line inside a paragraph or as a setext heading: the cut would not happen there', () => {
    expect(problemsOf('Public text.', 'PAYWALL', 'Paid text right under it.')).toHaveLength(1);
    expect(problemsOf('Public text.', '', 'PAYWALL', '-------', '', 'Paid.')).toHaveLength(1);
  });

  it.each(['<!--more-->', '<!-- subscribers only -->', '<!-- Members only -->', '<!-- read more -->'])(
    'refuses another system’s cut marker %j',
    (line) => {
      const [problem] = problemsOf('Public.', line, 'Paid.');
      expect(problem?.message).toMatch(/cut marker of another system/);
    },
  );

  it('takes code or an unclosed `<!--` for text', () => {
    expect(
      problemsOf('HTML comments start with `<!--` in markup.', '', 'Publishers debate the paywall model.'),
    ).toEqual([]);
    expect(problemsOf('```html', '<!-- header', '```', '', 'The paywall discussion continues.')).toEqual([]);
  });
});

describe('foldForMarker', () => {
  it('folds case, accents, compatibility forms, invisible characters, confusables and dashes', () => {
    expect(foldForMarker('<!—P\u0430\u200bÝWALL–>')).toBe('<!-paywall->');
  });
});
