import { stripXmlIllegal } from '../shared/text-safety';

/**
 * A stable, lowercase, ASCII slug for tag feed paths: `R&D` → `r-d`, `Tech <AI>` → `tech-ai`, `Café` → `cafe`.
 * Letters with no ASCII form (Arabic, CJK, ß is mapped) add a short hash of the tag so that different tags keep
 * different feeds and the path stays plain ASCII in S3 keys, CloudFront and logs; a tag with no ASCII letters
 * at all becomes `tag-{hash}`. Case and punctuation do not matter: `R&D` and `r & d` share a feed.
 */
export function tagSlug(tag: string): string {
  const folded = stripXmlIllegal(tag).trim().toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
  const transliterated = folded.replace(/[ßæœøđłþ]/g, (char) => LATIN_FOLDS[char] ?? char);
  const ascii = transliterated
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  const hasUnfoldable = /[^\p{ASCII}]/u.test(transliterated.replace(/[^\p{L}\p{N}]/gu, ''));
  if (!hasUnfoldable && ascii !== '') return ascii;
  const hash = fnv1a(transliterated.normalize('NFC'));
  return ascii === '' ? `tag-${hash}` : `${ascii}-${hash}`;
}

const LATIN_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  þ: 'th',
};

/** FNV-1a over UTF-8: a fixed, dependency-free function, so slugs never change between releases or runtimes. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
