import { matchingFingerprints } from './fingerprints';
import type { ReportRecord } from '../reports/report';

/**
 * The leak scan as a tripwire that degrades per item and never freezes a file. Every public artifact (a feed, a
 * page, the archive, a free digest) is rendered, then scanned for the paid fingerprints of the reports it covers.
 *
 * - A fingerprint of report P that stands in the public part of another covered report Q is no secret: an editor
 *   published it (a quoted statement, a boilerplate sentence). It is ignored, so one quote never blocks a file.
 *   P's own public part cannot hold P's fingerprints (intake leaves out what the two parts share), so a hit there
 *   is corruption and still counts.
 * - On a real hit the items are rendered one at a time to find which carry paid text; each of those alone is
 *   replaced by a stub (title, summary and the subscriber notice) and the file is rendered again and rescanned.
 * - Only when the stubbed file still hits (the leak is in the file's own frame, not in any item) is the output
 *   withheld; the caller then keeps the file from being written and raises the alarm. A hit that no single item
 *   and not the empty frame produces is eight words meeting across two items' edges: a coincidence, not a leak.
 */
export interface GuardInput<V extends { id: string }, T> {
  views: readonly V[];
  /** The table records behind the views: their fingerprints and public parts. */
  covered: readonly ReportRecord[];
  render: (views: readonly V[]) => T | Promise<T>;
  /** Everything of the output a reader can see, as one string to scan. */
  text: (output: T) => string;
  /** The safe stand-in for one view. */
  stub: (view: V) => V;
  /** The artifact with no items at all, where it can exist (a feed can, a digest cannot). */
  renderFrame?: () => T | Promise<T>;
  /** Text public by configuration (see `publicBoilerplate`): what it holds is never a secret. */
  boilerplate: string;
}

export type GuardResult<T> =
  /** `stubbed`: the items replaced by stubs; `sources`: the reports whose paid text was found. */
  | { ok: true; output: T; stubbed: string[]; sources: string[]; hits: number }
  | { ok: false; sources: string[]; hits: number };

export async function renderGuarded<V extends { id: string }, T>(input: GuardInput<V, T>): Promise<GuardResult<T>> {
  const owners = fingerprintOwners(input.covered);
  for (const fingerprint of matchingFingerprints(input.boilerplate, [...owners.keys()])) owners.delete(fingerprint);
  const first = await input.render(input.views);
  const clean = { ok: true as const, output: first, stubbed: [], sources: [], hits: 0 };
  if (owners.size === 0) return clean;
  const found = secretHits(input.text(first), owners, input.covered);
  if (found.size === 0) return clean;

  const stubbed: string[] = [];
  for (const view of input.views) {
    const alone = await input.render([view]);
    if (matchingFingerprints(input.text(alone), [...found]).size > 0) stubbed.push(view.id);
  }
  const frame = stubbed.length === 0 && input.renderFrame ? input.text(await input.renderFrame()) : undefined;
  if (frame !== undefined && secretHits(frame, owners, input.covered).size === 0) {
    // No item carries the text alone and the frame is clean: the words met across two items' edges by chance.
    return { ok: true, output: first, stubbed: [], sources: [], hits: 0 };
  }
  const safeViews = input.views.map((view) => (stubbed.includes(view.id) ? input.stub(view) : view));
  const second = await input.render(safeViews);
  const remaining = secretHits(input.text(second), owners, input.covered);
  if (remaining.size > 0) return { ok: false, sources: ownersOf(remaining, owners), hits: remaining.size };
  return { ok: true, output: second, stubbed, sources: ownersOf(found, owners), hits: found.size };
}

function ownersOf(fingerprints: ReadonlySet<string>, owners: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  return [...new Set([...fingerprints].flatMap((fingerprint) => [...(owners.get(fingerprint) ?? [])]))].sort();
}

/** Fingerprint → ids of the reports whose subscriber part it comes from. */
function fingerprintOwners(covered: readonly ReportRecord[]): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const record of covered) {
    for (const fingerprint of record.fingerprints) {
      const set = owners.get(fingerprint) ?? new Set<string>();
      set.add(record.id);
      owners.set(fingerprint, set);
    }
  }
  return owners;
}

/** Paid fingerprints in the text, less those another covered report has published in its own public part. */
function secretHits(
  text: string,
  owners: ReadonlyMap<string, ReadonlySet<string>>,
  covered: readonly ReportRecord[],
): Set<string> {
  const found = matchingFingerprints(text, [...owners.keys()]);
  if (found.size === 0) return found;
  for (const record of covered) {
    // What an editor wrote in a report's own fields is public by definition, even when its paid part repeats it.
    for (const fingerprint of matchingFingerprints(publicFieldsOf(record), [...found])) found.delete(fingerprint);
    for (const fingerprint of matchingFingerprints(record.publicHtml, [...found])) {
      const from = owners.get(fingerprint);
      if (from && [...from].some((owner) => owner !== record.id)) found.delete(fingerprint);
    }
  }
  return found;
}

/**
 * The fields every rendering and every stub shows: title, summary, tags, authors, the lead image's alt text and
 * caption. The public body (`publicHtml`) is apart: a report's own paid text in its own public body is corruption.
 */
export function publicFieldsOf(record: ReportRecord): string {
  const image = record.leadImage ? [record.leadImage.alt, record.leadImage.caption ?? ''] : [];
  return [record.title, record.summary, ...record.tags, ...record.authors, ...image].join('\n\n');
}
