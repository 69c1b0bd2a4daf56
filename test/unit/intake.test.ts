import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReportInput, prepareReport } from '../../lambdas/core/reports/intake';
import { indexKeys } from '../../lambdas/core/reports/report-lifecycle';
import { resolveFreeAt } from '../../lambdas/core/shared/durations';
import { parsePublication } from '../../lambdas/core/shared/publication';
import cdkJson from '../../cdk.json';

const publication = parsePublication(cdkJson.context.dispatch);
const NOW = new Date('2026-11-24T12:00:00Z');
const identity = { id: '01JTESTREPORT0000000000000', slug: 'a-report', revision: 1, createdAt: NOW.toISOString() };

const word = fc.stringMatching(/^[a-z]{3,9}$/);
const paragraph = fc.array(word, { minLength: 9, maxLength: 30 }).map((words) => words.join(' ') + '.');

function input(body: string, tier: 'subscriber' | 'complimentary' = 'subscriber') {
  const parsed = parseReportInput(
    { title: 'Title', summary: 'Summary.', body, tier, series: 'grid-watch' },
    publication,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problem));
  return parsed.input;
}

describe('prepareReport', () => {
  it('never puts subscriber-only text in the table item (1,000 random bodies, with and without the marker)', () => {
    fc.assert(
      fc.property(
        fc.array(paragraph, { minLength: 2, maxLength: 4 }),
        fc.array(paragraph, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (publicParagraphs, paidParagraphs, withMarker) => {
          // Paid paragraphs carry a token no public paragraph has, so a leak of any of them is visible.
          const paid = paidParagraphs.map((text, index) => `zqxpaid${index} ${text}`);
          // Without the marker the first two paragraphs are public, so exactly two public ones come first.
          const publicPart = withMarker ? publicParagraphs : publicParagraphs.slice(0, 2);
          const body = withMarker
            ? [...publicPart, '<!-- paywall -->', ...paid].join('\n\n')
            : [...publicPart, ...paid].join('\n\n');
          const { record, vaultObjects } = prepareReport(input(body), identity, publication, NOW);
          const item = JSON.stringify({ ...record, ...indexKeys(record, NOW) });
          expect(item).not.toContain('zqxpaid');
          const paidObject = vaultObjects.find((object) => object.key.startsWith('paid/'));
          for (const text of paid) expect(paidObject?.body).toContain(text.split(' ')[0]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('stores a complimentary report in full with no paid part and no fingerprints', () => {
    const { record, vaultObjects } = prepareReport(
      input('One.\n\nTwo.\n\nThree is public too.', 'complimentary'),
      identity,
      publication,
      NOW,
    );
    expect(record.publicHtml).toContain('Three is public too.');
    expect(record.paidRef).toBeUndefined();
    expect(record.fingerprints).toEqual([]);
    expect(vaultObjects.map((object) => object.key.split('/')[0])).toEqual(['source']);
  });

  it('uses content-addressed vault keys', () => {
    const a = prepareReport(
      input('One.\n\nTwo.\n\n<!-- paywall -->\n\nSecret words here for sure.'),
      identity,
      publication,
      NOW,
    );
    const b = prepareReport(
      input('One.\n\nTwo.\n\n<!-- paywall -->\n\nSecret words here for sure.'),
      identity,
      publication,
      NOW,
    );
    expect(a.record.paidRef).toBe(b.record.paidRef);
    expect(a.record.paidRef).toMatch(/^paid\/[0-9a-f]{64}\.json$/);
  });

  it('releases a back-dated subscriber report at once when freeAfter has passed', () => {
    const parsed = parseReportInput(
      {
        title: 'Old',
        summary: 'Old.',
        body: 'A.\n\nB.\n\n<!-- paywall -->\n\nFormerly paid text.',
        tier: 'subscriber',
        series: 'grid-watch',
        publishAt: '2025-01-01T00:00:00Z',
        freeAfter: 'P30D',
      },
      publication,
    );
    if (!parsed.ok) throw new Error('invalid');
    const { record } = prepareReport(parsed.input, identity, publication, NOW);
    expect(record.released).toBe(true);
    expect(record.publicHtml).toContain('Formerly paid text.');
  });

  it('strips XML-illegal control characters from every field at intake', () => {
    const parsed = parseReportInput(
      {
        title: 'Bell\u0007 title',
        summary: 'S\u0000.',
        body: 'Body\u001b text.',
        tier: 'complimentary',
        series: 'grid-watch',
        tags: ['t\u0001ag'],
      },
      publication,
    );
    if (!parsed.ok) throw new Error('invalid');
    expect(parsed.input.title).toBe('Bell title');
    expect(parsed.input.tags).toEqual(['tag']);
    // eslint-disable-next-line no-control-regex -- the point is to look for control characters
    expect(prepareReport(parsed.input, identity, publication, NOW).record.publicHtml).not.toMatch(/[\u0000-\u0008]/);
  });
});

describe('indexKeys', () => {
  it('lists only published, live reports and marks the next transition as due', () => {
    const { record } = prepareReport(input('A.\n\nB.\n\n<!-- paywall -->\n\nC.'), identity, publication, NOW);
    expect(indexKeys(record, NOW)).toMatchObject({ listing: 'public', kind: 'report' });
    const scheduled = { ...record, publishAt: '2027-01-01T00:00:00.000Z', freeAt: '2027-02-01T00:00:00.000Z' };
    expect(indexKeys(scheduled, NOW)).toMatchObject({ dueKey: 'due', dueAt: '2027-01-01T00:00:00.000Z' });
    expect(indexKeys(scheduled, NOW).listing).toBeUndefined();
    expect(indexKeys({ ...record, state: 'unpublished' }, NOW).listing).toBeUndefined();
  });
});

describe('resolveFreeAt', () => {
  it('adds ISO durations in UTC and takes dates as midnight UTC', () => {
    expect(resolveFreeAt('P30D', '2026-11-01T09:00:00.000Z')).toBe('2026-12-01T09:00:00.000Z');
    expect(resolveFreeAt('P1M', '2026-01-31T00:00:00.000Z')).toBe('2026-03-03T00:00:00.000Z');
    expect(resolveFreeAt('PT12H', '2026-11-01T09:00:00.000Z')).toBe('2026-11-01T21:00:00.000Z');
    expect(resolveFreeAt('P1W', '2026-11-01T09:00:00.000Z')).toBe('2026-11-08T09:00:00.000Z');
    expect(resolveFreeAt('2026-12-31', '2026-11-01T09:00:00.000Z')).toBe('2026-12-31T00:00:00.000Z');
  });
});

describe('parseReportInput paywall rules', () => {
  const parse = (body: string) =>
    parseReportInput({ title: 'T', summary: 'S.', body, tier: 'subscriber', series: 'grid-watch' }, publication);
  const bodyProblem = (body: string) => {
    const parsed = parse(body);
    return parsed.ok ? undefined : parsed.problem.kind === 'invalid' ? parsed.problem.fields[0] : undefined;
  };

  it('refuses a marker the cut cannot use instead of publishing everything', () => {
    for (const body of [
      'One.\n\n> Quoted.\n> <!-- paywall -->\n> Secret in quote.',
      'One.\n\n```\nunclosed\n\n<!-- paywall -->\n\nSecret.',
      'One.\n\nTwo.\n\n<!--PAYWALL-->\n\nSecret.',
    ]) {
      expect(bodyProblem(body)).toMatchObject({
        field: 'body',
        message: expect.stringMatching(/^line \d+ (looks like a paywall marker|holds <!-- paywall -->)/),
      });
    }
  });

  it('refuses a subscriber report that leaves subscribers nothing', () => {
    expect(bodyProblem('Only one paragraph.')).toMatchObject({ message: expect.stringContaining('leaves nothing') });
    expect(bodyProblem('One.\n\nTwo.\n\n<!-- paywall -->\n\n[^1]: A source.')).toMatchObject({
      message: expect.stringContaining('leaves nothing'),
    });
    expect(parse('One.\n\nTwo.\n\nThree is for subscribers.').ok).toBe(true);
  });
});
