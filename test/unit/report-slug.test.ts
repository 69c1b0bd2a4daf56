import { describe, expect, it } from 'vitest';
import { slugFromTitle, titleSlug } from '../../lambdas/core/reports/slug';
import { parseReportInput } from '../../lambdas/core/reports/intake';
import { parsePublication } from '../../lambdas/core/shared/publication';
import cdkJson from '../../cdk.json';

describe('titleSlug: the slug a raw title gives, as create derives it', () => {
  it.each([
    ['Substation outages ripple through the Kestrel Valley', 'substation-outages-ripple-through-the-kestrel-valley'],
    ['Émile & the “valley” relays', 'emile-and-the-valley-relays'],
    ['  Spaces   around  ', 'spaces-around'],
  ])('%s → %s', (title, slug) => {
    expect(titleSlug(title)).toBe(slug);
  });

  it('gives no slug for a title without an ASCII word; create then falls back to one from the id', () => {
    expect(titleSlug('Краткий обзор')).toBeUndefined();
    expect(slugFromTitle('Краткий обзор', '01JD8Z4X')).toBe('report-01jd8z4x');
  });

  it('cleans the raw title as intake does, so a file title finds the report its stored title named', () => {
    // A zero-width space splits no word once intake has stripped it; a bidi mark neither.
    const raw = 'Kes\u200btrel \u200evalley\u0001 relays';
    const parsed = parseReportInput(
      { title: raw, summary: 'S.', tier: 'complimentary', series: 'grid-watch', body: 'Body.' },
      parsePublication(cdkJson.context.dispatch),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problem));
    expect(titleSlug(raw)).toBe('kestrel-valley-relays');
    expect(slugFromTitle(parsed.input.title, 'x')).toBe(titleSlug(raw));
  });
});
