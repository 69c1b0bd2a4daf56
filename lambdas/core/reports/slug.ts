import { SLUG_PATTERN } from './report';

/** A URL slug from a title: ASCII words joined by hyphens, at most 80 characters, cut at a word boundary. */
export function slugFromTitle(title: string, fallbackSuffix: string): string {
  const words = title
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
  // Titles in non-Latin scripts fold to nothing: fall back to something stable and unique.
  return SLUG_PATTERN.test(slug) ? slug : `report-${fallbackSuffix.toLowerCase()}`;
}

/** Candidates in order of preference when the natural slug is taken: `slug`, `slug-2`, … then an id suffix. */
export function slugCandidates(base: string, idSuffix: string): string[] {
  const numbered = Array.from({ length: 8 }, (_, index) => `${base.slice(0, 76)}-${index + 2}`);
  return [base, ...numbered, `${base.slice(0, 70)}-${idSuffix.toLowerCase()}`];
}
