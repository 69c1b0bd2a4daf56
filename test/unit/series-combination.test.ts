import { describe, expect, it } from 'vitest';
import {
  combinationKey,
  combinationSeries,
  COMBINATION_KEY,
  editionSeries,
  groupByCombination,
  readerCombination,
} from '../../lambdas/core/digest/series-combination';
import { mailMessageSchema } from '../../lambdas/core/digest/queue-messages';
import { publication } from '../fixtures/digest-edition';

/** Issue 16 item 2: a reader gets the edition's reports of their series; readers are grouped, never compiled alone. */
const BOTH = new Set(['power-lines', 'sea-lanes']);

describe('combinationKey', () => {
  it('is the same key whatever the order or repetition of the series', () => {
    expect(combinationKey(['sea-lanes', 'power-lines', 'sea-lanes'])).toBe('power-lines.sea-lanes');
    expect(combinationKey(['power-lines', 'sea-lanes'])).toBe('power-lines.sea-lanes');
    expect(combinationSeries('power-lines.sea-lanes')).toEqual(['power-lines', 'sea-lanes']);
  });

  it('is empty for no series, which no queue message may name', () => {
    expect(combinationKey([])).toBe('');
    expect(COMBINATION_KEY.test('')).toBe(false);
    expect(COMBINATION_KEY.test('power-lines.sea-lanes')).toBe(true);
  });
});

describe('readerCombination', () => {
  it('gives a reader without a stored choice every series of the edition', () => {
    expect(readerCombination({}, BOTH, publication)).toBe('power-lines.sea-lanes');
  });

  it('keeps only the series the edition has', () => {
    expect(readerCombination({ series: ['sea-lanes'] }, new Set(['power-lines']), publication)).toBe('');
    expect(readerCombination({ series: ['sea-lanes', 'power-lines'] }, new Set(['sea-lanes']), publication)).toBe(
      'sea-lanes',
    );
  });

  it('gives a reader of every series a report of a series the configuration no longer lists', () => {
    const retired = new Set(['power-lines', 'retired-watch']);
    expect(readerCombination({}, retired, publication)).toBe('power-lines.retired-watch');
    // A reader who chose series gets only those: the retired one is not among them.
    expect(readerCombination({ series: ['power-lines'] }, retired, publication)).toBe('power-lines');
  });

  it('gives a reader who chose no series nothing', () => {
    expect(readerCombination({ series: [] }, BOTH, publication)).toBe('');
  });
});

describe('groupByCombination', () => {
  it('puts readers with the same combination in one group, in their order, and lists those with none', () => {
    const groups = groupByCombination(
      [
        { email: 'all@example.org' },
        { email: 'a@example.org', series: ['power-lines'] },
        { email: 'none@example.org', series: [] },
        { email: 'both@example.org', series: ['sea-lanes', 'power-lines'] },
        { email: 'a2@example.org', series: ['power-lines'] },
      ],
      BOTH,
      publication,
    );
    expect([...groups.byCombination]).toEqual([
      ['power-lines.sea-lanes', ['all@example.org', 'both@example.org']],
      ['power-lines', ['a@example.org', 'a2@example.org']],
    ]);
    expect(groups.noSeries).toEqual(['none@example.org']);
  });
});

describe('editionSeries', () => {
  it('is the set of the reports’ series', () => {
    expect(editionSeries([{ series: 'sea-lanes' }, { series: 'sea-lanes' }])).toEqual(new Set(['sea-lanes']));
  });
});

describe('mail queue messages', () => {
  it('accept a message queued before readers chose series (no combination: the whole edition)', () => {
    expect(mailMessageSchema.parse({ editionId: 'ed-1', emails: ['a@example.org'] }).series).toBeUndefined();
  });

  it('refuse a combination that is not a canonical key', () => {
    expect(() => mailMessageSchema.parse({ editionId: 'ed-1', emails: ['a@example.org'], series: '' })).toThrow();
    expect(() =>
      mailMessageSchema.parse({ editionId: 'ed-1', emails: ['a@example.org'], series: 'Power Lines' }),
    ).toThrow();
  });
});
