import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import { newEditorSchema } from '../../lambdas/core/editors/editor-input';
import { parseReportInput } from '../../lambdas/core/reports/intake';
import { parsePublication } from '../../lambdas/core/shared/publication';
import { hasVisibleText, stripInvisible } from '../../lambdas/core/shared/text-safety';

const publication = parsePublication(cdkJson.context.dispatch);
const ZWSP = '\u200B';
const RLO = '\u202E';
const PDF = '\u202C';

function parse(overrides: Record<string, unknown>) {
  return parseReportInput(
    { title: 'Title', summary: 'Summary.', body: 'Body.', tier: 'complimentary', series: 'grid-watch', ...overrides },
    publication,
  );
}

function invalidFields(overrides: Record<string, unknown>): string[] {
  const parsed = parse(overrides);
  if (parsed.ok || parsed.problem.kind !== 'invalid') throw new Error('expected a validation problem');
  return parsed.problem.fields.map((field) => field.field);
}

describe('stripInvisible', () => {
  it('removes zero-width spaces, word joiners, byte order marks and soft hyphens', () => {
    expect(stripInvisible(`Grid${ZWSP} watch\u2060\uFEFF\u00AD`)).toBe('Grid watch');
  });

  it('removes every bidi control, so no name can be shown reversed', () => {
    expect(stripInvisible(`${RLO}gnp.exe${PDF} \u2066a\u2069\u2067b\u2068c\u200E\u200F\u061C\u202A\u202B\u202D`)).toBe(
      'gnp.exe abc',
    );
  });

  it('keeps joiners that join two visible characters (emoji sequences, Persian) and drops stray ones', () => {
    expect(stripInvisible('team 👩‍🔬')).toBe('team 👩‍🔬');
    expect(stripInvisible('می‌خواهم')).toBe('می‌خواهم');
    expect(stripInvisible('\u200D\u200Cword\u200C \u200D')).toBe('word ');
  });
});

describe('hasVisibleText', () => {
  it('is false for nothing but spaces, format characters, fillers and blank braille', () => {
    for (const text of ['', '   ', `${ZWSP}${ZWSP}${ZWSP}`, '\u3164', '\u2800 \u115F', '\u0301']) {
      expect(hasVisibleText(text)).toBe(false);
    }
    expect(hasVisibleText('محطة')).toBe(true);
    expect(hasVisibleText('🌊')).toBe(true);
  });
});

describe('report intake refuses invisible text', () => {
  it('answers a title of three zero-width spaces with a field error', () => {
    expect(invalidFields({ title: ZWSP.repeat(3) })).toEqual(['title']);
  });

  it('refuses summaries, tags and authors with nothing visible, naming each', () => {
    expect(invalidFields({ summary: `${RLO}${PDF}`, tags: ['ok', '\u2066\u2069'], authors: ['\u3164'] })).toEqual([
      'summary',
      'tags.1',
      'authors.0',
    ]);
  });

  it('stores the visible text only: zero-width and bidi characters are stripped from every short field', () => {
    const parsed = parse({
      title: `${RLO}Kestrel${ZWSP} outages${PDF}`,
      summary: `Three\u200B outages.\u200F`,
      tags: [`grid${ZWSP}`],
      authors: [`\u2067Ines Varga\u2069`],
      series: `grid-watch${ZWSP}`,
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.input).toMatchObject({
      title: 'Kestrel outages',
      summary: 'Three outages.',
      tags: ['grid'],
      authors: ['Ines Varga'],
      series: 'grid-watch',
    });
  });
});

describe('editor names', () => {
  it('are stripped of invisible characters and refused when nothing visible remains', () => {
    expect(newEditorSchema.parse({ name: `\u202EAnn Lee${ZWSP}` }).name).toBe('Ann Lee');
    expect(newEditorSchema.safeParse({ name: ZWSP.repeat(3) }).success).toBe(false);
    expect(newEditorSchema.safeParse({ name: '\u2800' }).success).toBe(false);
  });
});
