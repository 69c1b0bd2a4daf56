import { z } from 'zod';
import { InvalidInputError } from '../shared/errors';
import type { Publication } from '../shared/publication';
import type { Subscriber } from './subscribers';

/**
 * Which series (monitoring programs) a reader receives. The subscriber's `series` field:
 *  - absent: every configured series, including series configured later (every reader starts here);
 *  - a list: exactly those series;
 *  - an empty list: none. The reader stays subscribed but gets no digest.
 *
 * Pure. The digest side asks {@link readerSeries}; the admin API, the CLI, CSV imports and the manage page store
 * choices through {@link chosenSeries}, which refuses ids the publication does not configure.
 */

/** A series id's shape (as `seriesSchema` in publication.ts); whether it is configured is checked separately. */
const SERIES_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** More than any publication configures; it keeps a hostile list from costing anything. */
const MAX_CHOSEN_SERIES = 100;

/** Whether `value` has the shape of a series id (for readers of lists that cannot know the configuration). */
export function isSeriesId(value: string): boolean {
  return SERIES_ID.test(value);
}

/** The shape of a list of series ids at the edge (admin API, manage form). */
export const seriesIdsSchema = z
  .array(z.string({ message: 'must be a series id' }).regex(SERIES_ID, 'must be a series id such as grid-watch'), {
    message: 'must be a list of series ids',
  })
  .max(MAX_CHOSEN_SERIES, `must name at most ${MAX_CHOSEN_SERIES} series`);

/**
 * The series a reader receives, in the publication's order. A stored id the publication no longer configures is
 * left out (a series was retired): it has no reports to send.
 */
export function readerSeries(
  subscriber: Pick<Subscriber, 'series'>,
  publication: Pick<Publication, 'series'>,
): string[] {
  const configured = publication.series.map((series) => series.id);
  if (subscriber.series === undefined) return configured;
  const chosen = new Set(subscriber.series);
  return configured.filter((id) => chosen.has(id));
}

/**
 * A choice of series as it is stored: each id configured (otherwise an {@link InvalidInputError} naming `series`
 * and the unknown ids), duplicates dropped, in the publication's order so equal choices are stored equally.
 */
export function chosenSeries(ids: readonly string[], publication: Pick<Publication, 'series'>): string[] {
  const configured = publication.series.map((series) => series.id);
  const unknown = [...new Set(ids.filter((id) => !configured.includes(id)))];
  if (unknown.length > 0) {
    throw new InvalidInputError([
      {
        field: 'series',
        message: `${unknown.length === 1 ? 'unknown series' : 'unknown series ids'} ${unknown.map((id) => `"${id}"`).join(', ')}; configured: ${configured.join(', ')}`,
      },
    ]);
  }
  const wanted = new Set(ids);
  return configured.filter((id) => wanted.has(id));
}

/**
 * What a reader's own choice on the manage page stores. Ticking every series stores nothing (absent), so the
 * reader also gets series started later, like every reader who never chose: the form cannot tell "these" from
 * "all", and a reader who wants everything now most likely wants a new program too.
 */
export function readerChoice(ids: readonly string[], publication: Pick<Publication, 'series'>): string[] | undefined {
  const chosen = chosenSeries(ids, publication);
  return chosen.length === publication.series.length ? undefined : chosen;
}

/** The subscriber with `series` set to `choice` (absent for undefined). */
export function withSeries(subscriber: Subscriber, choice: readonly string[] | undefined): Subscriber {
  const { series: _previous, ...rest } = subscriber;
  return choice === undefined ? rest : { ...rest, series: [...choice] };
}
