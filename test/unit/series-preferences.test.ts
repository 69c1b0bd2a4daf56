import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lambdas/core/shared/errors';
import { parseWith } from '../../lambdas/core/shared/validation';
import { chosenSeries, readerChoice, readerSeries } from '../../lambdas/core/subscribers/series-preferences';
import {
  adminUpdateSchema,
  applyAdminUpdate,
  subscriberView,
  type Subscriber,
} from '../../lambdas/core/subscribers/subscribers';
import { subscriberListLine } from '../../lambdas/core/subscribers/subscriber-list';
import { publication } from '../fixtures/digest-edition';

const now = new Date('2026-11-24T09:00:00Z');
const subscriber = (overrides: Partial<Subscriber> = {}): Subscriber => ({
  email: 'reader@example.org',
  subscriberId: '01JD0000000000000000000000',
  tier: 'free',
  status: 'active',
  feedTokenVersion: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const ids = publication.series.map((series) => series.id);
const [first = '', second = ''] = ids;
/** The publication after a third series was configured. */
const later = {
  series: [
    ...publication.series,
    { id: 'reef-watch', name: 'Reef Watch', blurb: 'Reefs.', link: 'https://lantern.example.net/programs/reefs/' },
  ],
};

function fieldsOf(action: () => unknown) {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.fields;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('readerSeries: the series a reader receives', () => {
  it('gives a reader who never chose every series, including one configured later', () => {
    expect(ids).toHaveLength(2);
    expect(readerSeries(subscriber(), publication)).toEqual(ids);
    expect(readerSeries(subscriber(), later)).toEqual([...ids, 'reef-watch']);
  });

  it('gives a reader with a list exactly those series, and not a series configured later', () => {
    expect(readerSeries(subscriber({ series: [second] }), publication)).toEqual([second]);
    expect(readerSeries(subscriber({ series: [first, second] }), later)).toEqual([first, second]);
  });

  it('gives a reader with an empty list nothing', () => {
    expect(readerSeries(subscriber({ series: [] }), publication)).toEqual([]);
  });

  it('leaves out a stored series the publication no longer configures, in the publication order', () => {
    expect(readerSeries(subscriber({ series: ['retired', second, first] }), publication)).toEqual([first, second]);
  });
});

describe('choosing series', () => {
  it('refuses an unknown id, naming the field and the ids', () => {
    expect(fieldsOf(() => chosenSeries([first, 'nope', 'nope'], publication))).toEqual([
      { field: 'series', message: `unknown series "nope"; configured: ${ids.join(', ')}` },
    ]);
  });

  it('stores a choice once per id and in the publication order', () => {
    expect(chosenSeries([second, first, second], publication)).toEqual([first, second]);
    expect(chosenSeries([], publication)).toEqual([]);
  });

  it('stores a reader who ticks every series as "every series", so later series reach them too', () => {
    expect(readerChoice([second, first], publication)).toBeUndefined();
    expect(readerChoice([second], publication)).toEqual([second]);
    expect(readerChoice([], publication)).toEqual([]);
  });
});

describe('admin updates of series', () => {
  it('takes a list of ids or null, and refuses anything else naming series', () => {
    expect(parseWith(adminUpdateSchema, { series: [first] })).toEqual({ series: [first] });
    expect(parseWith(adminUpdateSchema, { series: null })).toEqual({ series: null });
    for (const series of ['grid-watch', [''], ['Grid Watch'], [1], Array.from({ length: 101 }, () => first)]) {
      const fields = fieldsOf(() => parseWith(adminUpdateSchema, { series }));
      expect(fields[0]?.field).toMatch(/^series(\.\d+)?$/);
    }
  });

  it('sets a list, clears it with null, and keeps it when not named', () => {
    const chose = applyAdminUpdate(subscriber(), 'reader@example.org', { series: [second] }, 'x', now);
    expect(chose.series).toEqual([second]);
    expect(applyAdminUpdate(chose, 'reader@example.org', { tier: 'paid' }, 'x', now).series).toEqual([second]);
    const none = applyAdminUpdate(chose, 'reader@example.org', { series: [] }, 'x', now);
    expect(none.series).toEqual([]);
    expect('series' in applyAdminUpdate(none, 'reader@example.org', { series: null }, 'x', now)).toBe(false);
  });

  it('shows the choice in the API view and the list, null meaning every series', () => {
    expect(subscriberView(subscriber()).series).toBeNull();
    expect(subscriberView(subscriber({ series: [] })).series).toEqual([]);
    expect(subscriberListLine(subscriber({ series: [first] })).series).toEqual([first]);
    expect(subscriberListLine(subscriber()).series).toBeNull();
  });
});
