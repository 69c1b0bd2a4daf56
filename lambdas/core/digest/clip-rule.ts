import type { Publication } from '../shared/publication';
import type { CompiledEdition } from './compiled-edition';
import type { EditionContent } from './edition-content';
import type { Compile } from './tier-compile';

/**
 * The clip rule: Gmail clips a message whose HTML passes ~102 KB (the rest hides behind "View entire message",
 * footer and unsubscribe link included), so every compiled edition stays ≤ 90 KB of HTML as a reader receives it.
 * When the full text of every report does not fit, the last reports in mail order (the bottom of the mail) are
 * shortened to title, dateline, summary and a "Read the full report" link, until the edition fits.
 */
export const MAIL_HTML_BUDGET_BYTES = 90 * 1024;

/**
 * Bytes counted for each per-recipient link the sender joins in: real ones are ~200 characters, and an `&` is
 * escaped to `&amp;` in HTML, so this is a ceiling, not an average.
 */
export const RECIPIENT_URL_ALLOWANCE_BYTES = 320;

/**
 * MJML runs at most this many times per edition and tier: once when the edition fits (every short edition);
 * otherwise once with every report shortened (the floor: the smallest this edition can be), once with the tail
 * the sizes of those two compiles predict, and once more with a longer tail if the prediction fell short. Past
 * that the floor, already compiled, is the answer.
 */
export const MAX_CLIP_COMPILES = 4;

const utf8 = new TextEncoder();
const bytes = (text: string): number => utf8.encode(text).length;

/** The HTML part's size once personalised, with each per-recipient slot counted at its allowance. */
export function personalisedHtmlBytes(compiled: CompiledEdition): number {
  const parts = compiled.html.parts.reduce((sum, part) => sum + bytes(part), 0);
  return parts + compiled.html.slots.length * RECIPIENT_URL_ALLOWANCE_BYTES;
}

/** The reports in the order the mail shows them: the complimentary section, then the subscriber section. */
export function mailOrder(content: EditionContent): string[] {
  return [...content.complimentary, ...content.subscriberOnly].map((view) => view.id);
}

/**
 * The shortest tail of `order`, at least `from` long, whose predicted savings cover `excess` bytes. Shortening
 * a report saves its body and the frame of a full block (mj-section, image, notices: about the same for every
 * report), less its short form, so the saving is predicted as body bytes plus one per-report constant.
 */
function tailCovering(order: readonly string[], from: number, excess: number, saving: (id: string) => number): number {
  let length = from;
  let saved = 0;
  while (length < order.length && saved < excess) {
    length += 1;
    saved += saving(order[order.length - length] ?? '');
  }
  return Math.max(length, from + 1);
}

/**
 * Compiles the edition within the budget, in at most {@link MAX_CLIP_COMPILES} compiles. The compiled edition
 * names the reports it shortened (`shortenedReportIds`, always a tail of the mail), for the editor's preview.
 */
export async function compileWithinBudget(
  content: EditionContent,
  compile: Compile,
  publication: Publication,
  budget = MAIL_HTML_BUDGET_BYTES,
): Promise<CompiledEdition> {
  const full = await compile(content, publication);
  const fullSize = personalisedHtmlBytes(full);
  if (fullSize <= budget) return full;

  const order = mailOrder(content);
  const shorten = (count: number): EditionContent => ({ ...content, shortenedReportIds: order.slice(-count) });
  const floor = await compile(shorten(order.length), publication);
  const floorSize = personalisedHtmlBytes(floor);
  // Nothing shorter exists; it goes out as small as it can be.
  if (floorSize > budget) return floor;

  const bodies = new Map(
    [...content.complimentary, ...content.subscriberOnly].map((view) => [view.id, bytes(view.bodyHtml)]),
  );
  const allBodies = [...bodies.values()].reduce((sum, size) => sum + size, 0);
  const perReport = (fullSize - floorSize - allBodies) / order.length;
  const saving = (id: string): number => (bodies.get(id) ?? 0) + perReport;

  let count = tailCovering(order, 0, fullSize - budget, saving);
  for (let compiles = 2; compiles < MAX_CLIP_COMPILES && count < order.length; compiles++) {
    const compiled = await compile(shorten(count), publication);
    const size = personalisedHtmlBytes(compiled);
    if (size <= budget) return compiled;
    count = tailCovering(order, count, size - budget, saving);
  }
  return floor;
}

/** What the editor's previews say about the clip rule: the reports shortened in this mail, with their titles. */
export interface ShortenedReports {
  shortenedReportIds: string[];
  shortenedReports: { id: string; title: string }[];
}

export function shortenedReportsOf(compiled: CompiledEdition, content: EditionContent): ShortenedReports {
  const ids = compiled.shortenedReportIds ?? [];
  const titles = new Map([...content.complimentary, ...content.subscriberOnly].map((view) => [view.id, view.title]));
  return {
    shortenedReportIds: ids,
    shortenedReports: ids.map((id) => ({ id, title: titles.get(id) ?? '' })),
  };
}
