import { describe, expect, it } from 'vitest';
import { parseReportInput, prepareReport } from '../../lambdas/core/reports/intake';
import { parsePublication } from '../../lambdas/core/shared/publication';
import cdkJson from '../../cdk.json';

const publication = parsePublication(cdkJson.context.dispatch);
const NOW = new Date('2026-11-24T12:00:00Z');
const identity = { id: '01JTESTREPORT0000000000000', slug: 'a-report', revision: 1, createdAt: NOW.toISOString() };
const raw = (body: string, tier = 'subscriber') => ({
  title: 'Title',
  summary: 'Summary.',
  body,
  tier,
  series: 'grid-watch',
});

function problemsOf(body: string, tier?: string) {
  const parsed = parseReportInput(raw(body, tier), publication);
  return parsed.ok ? [] : parsed.problem.kind === 'invalid' ? parsed.problem.fields : [parsed.problem];
}

function warningsOf(body: string, tier?: string): string[] {
  const parsed = parseReportInput(raw(body, tier), publication);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problem));
  return prepareReport(parsed.input, identity, publication, NOW).cut.warnings;
}

describe('intake: footnotes', () => {
  it('refuses an undefined reference on every tier, naming body and the line', () => {
    for (const tier of ['subscriber', 'complimentary']) {
      expect(problemsOf('One.\n\nTwo.[^2]\n\n<!-- paywall -->\n\nThree.\n', tier)).toEqual([
        { field: 'body', message: expect.stringMatching(/^line 3 cites footnote \[\^2\], which is never defined/) },
      ]);
    }
  });

  it('names ten undefined references and counts the rest', () => {
    const body = Array.from({ length: 25 }, (_, index) => `Claim ${index}.[^n${index}]`).join('\n\n');
    const problems = problemsOf(body, 'complimentary');
    expect(problems).toHaveLength(11);
    expect(problems[9]).toEqual({ field: 'body', message: expect.stringMatching(/^line 19 cites footnote \[\^n9\]/) });
    expect(problems[10]).toEqual({ field: 'body', message: 'cites 15 more undefined footnote(s) after those' });
  });

  it('lists marker problems and footnote problems together', () => {
    const problems = problemsOf('One.[^x]\n\n<!-- paywal -->\n\nTwo.\n');
    expect(problems.map((problem) => ('message' in problem ? problem.message.slice(0, 6) : ''))).toEqual([
      'line 3',
      'line 1',
    ]);
  });

  it('warns about an uncited definition on every tier, the paid part included', () => {
    const body = 'One.[^1]\n\nTwo.\n\n<!-- paywall -->\n\nThree.\n\n[^1]: Cited.\n\n[^spare]: Not cited.\n';
    for (const tier of ['subscriber', 'complimentary']) {
      expect(warningsOf(body, tier)).toContainEqual(
        'footnote [^spare] on line 11 is never cited: readers will not see it; cite it with [^spare] or remove it',
      );
    }
  });

  it('names ten uncited definitions and counts the rest', () => {
    const body = ['Text.', ...Array.from({ length: 12 }, (_, index) => `[^d${index}]: Unused ${index}.`)].join('\n\n');
    const warnings = warningsOf(body, 'complimentary').filter((warning) => warning.includes('never cited'));
    expect(warnings).toHaveLength(11);
    expect(warnings[10]).toBe('2 more footnote definition(s) are never cited');
  });

  it('is silent about a body whose footnotes are all cited and defined', () => {
    const warnings = warningsOf('One.[^1]\n\nTwo.[^2]\n\n<!-- paywall -->\n\nThree.\n\n[^1]: A.\n\n[^2]: B.\n');
    expect(warnings.filter((warning) => warning.includes('never'))).toEqual([]);
  });
});
