import { readerSeries } from '../subscribers/series-preferences';
import type { Publication } from '../shared/publication';
import type { Subscriber } from '../subscribers/subscribers';

/**
 * Which part of an edition a reader gets: the edition's series the reader receives (their "combination"). The
 * planner compiles each combination once per tier, however many readers share it, so the number of MJML runs
 * grows with the combinations readers actually chose, never with readers. Pure.
 */

/** One series id (as series-preferences.ts) or several joined by `.`, which no series id contains. */
export const COMBINATION_KEY = /^[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9][a-z0-9-]{0,62})*$/;

/**
 * The canonical key of a set of series: unique ids, sorted, joined by `.`. Sorted rather than in the
 * publication's order so the key never changes when an editor reorders the configured series mid-edition.
 */
export function combinationKey(seriesIds: Iterable<string>): string {
  return [...new Set(seriesIds)].sort().join('.');
}

/** The series ids of a combination key. */
export function combinationSeries(key: string): string[] {
  return key.split('.');
}

/** The series of an edition: those of its reports, as a set. */
export function editionSeries(reports: readonly { series: string }[]): Set<string> {
  return new Set(reports.map((report) => report.series));
}

/**
 * A reader's combination for an edition: the series they receive that the edition has; '' when none. A reader
 * without a stored choice takes every series of the edition, also one retired from the configuration while its
 * reports were waiting: "every series" must never drop a report.
 */
export function readerCombination(
  reader: Pick<Subscriber, 'series'>,
  seriesOfEdition: ReadonlySet<string>,
  publication: Pick<Publication, 'series'>,
): string {
  if (reader.series === undefined) return combinationKey(seriesOfEdition);
  return combinationKey(readerSeries(reader, publication).filter((id) => seriesOfEdition.has(id)));
}

export interface ReaderOfEdition {
  email: string;
  /** The subscriber's stored choice: absent for every series, [] for none. */
  series?: string[];
}

export interface CombinationGroups {
  /** Addresses per combination key, in the readers' order; a key appears only when some reader has it. */
  byCombination: Map<string, string[]>;
  /** Readers who receive none of the edition's series: they get no mail. */
  noSeries: string[];
}

/** Groups readers by combination, so each group is one compile (per tier) and its own queue messages. */
export function groupByCombination(
  readers: readonly ReaderOfEdition[],
  seriesOfEdition: ReadonlySet<string>,
  publication: Pick<Publication, 'series'>,
): CombinationGroups {
  const byCombination = new Map<string, string[]>();
  const noSeries: string[] = [];
  for (const reader of readers) {
    const key = readerCombination(reader, seriesOfEdition, publication);
    if (key === '') {
      noSeries.push(reader.email);
      continue;
    }
    const group = byCombination.get(key);
    if (group) group.push(reader.email);
    else byCombination.set(key, [reader.email]);
  }
  return { byCombination, noSeries };
}

export function emptyGroups(): CombinationGroups {
  return { byCombination: new Map(), noSeries: [] };
}
