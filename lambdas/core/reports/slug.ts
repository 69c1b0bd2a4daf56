import { stripInvisible, stripXmlIllegal } from '../shared/text-safety';
import { SLUG_PATTERN } from './slug-pattern';

/** A URL slug from a title: ASCII words joined by hyphens, at most 80 characters, cut at a word boundary. */
export function slugFromTitle(title: string, fallbackSuffix: string): string {
  // Titles in non-Latin scripts fold to nothing: fall back to something stable and unique.
  return titleSlug(title) ?? `report-${fallbackSuffix.toLowerCase()}`;
}

/**
 * The slug a title gives, before any `-2` suffix; undefined when it folds to no ASCII word (create then uses an
 * id-based slug). The title is cleaned as intake cleans it, so a raw title from a report file (`dispatch submit`)
 * gives the same slug as the stored one.
 */
export function titleSlug(title: string): string | undefined {
  const words = stripInvisible(stripXmlIllegal(title))
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > 80) break;
    slug = next;
  }
  return SLUG_PATTERN.test(slug) ? slug : undefined;
}

/** Candidates in order of preference when the natural slug is taken: `slug`, `slug-2`, … then an id suffix. */
export function slugCandidates(base: string, idSuffix: string): string[] {
  const numbered = Array.from({ length: 8 }, (_, index) => `${base.slice(0, 76)}-${index + 2}`);
  return [base, ...numbered, `${base.slice(0, 70)}-${idSuffix.toLowerCase()}`];
}
