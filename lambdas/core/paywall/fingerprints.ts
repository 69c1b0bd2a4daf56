/**
 * The leak scan: proof that no public artifact carries subscriber-only text. Intake stores hashed word shingles
 * of the subscriber part (never the text, see ReportRecord.fingerprints); whoever writes a public artifact
 * fingerprints it in full and looks for any of them.
 *
 * Both sides go through the same normalisation, so Markdown, HTML, XML (CDATA or entity-escaped) and JSON
 * (escaped strings) of the same prose yield the same words: markup and punctuation go, entities and JSON escapes
 * are decoded, text is NFKC-folded and lowercased, and a word is a run of letters, digits and combining marks
 * (marks too, or Arabic with vowel signs and decomposed accents would fall apart into fragments).
 */
export const SHINGLE_WORDS = 8;
/** Texts shorter than a shingle but at least this long give one shingle of all their words. */
export const MIN_SHINGLE_WORDS = 4;
/** One shingle in four is kept, chosen by hash so intake and scan agree without coordination. */
export const SAMPLE_MODULUS = 4;
/** 2,000 fingerprints of 11 characters stay near 30 KB, far below DynamoDB's 400 KB item limit. */
export const MAX_FINGERPRINTS = 2000;

export interface LeakScan {
  /** How many distinct fingerprints occur in the artifact. */
  hits: number;
  leaked: boolean;
}

export function fingerprintText(text: string): string[] {
  return fingerprintSubscriberPart(text, '');
}

/**
 * Fingerprints of the subscriber part that cannot occur in public text. Pass everything the public legitimately
 * sees of the report as `publicText` (title, summary and public part, joined by blank lines): a sentence the
 * public part repeats must not raise an alarm when the public part is published.
 */
export function fingerprintSubscriberPart(subscriberText: string, publicText: string): string[] {
  const words = wordsOf(subscriberText);
  if (words.length < MIN_SHINGLE_WORDS) return [];
  const size = Math.min(words.length, SHINGLE_WORDS);
  const publicShingles = new Set(shingles(wordsOf(publicText), size));
  const own = [...new Set(shingles(words, size))].filter((fingerprint) => !publicShingles.has(fingerprint));
  if (size < SHINGLE_WORDS) return own;
  return own.filter(isSampled).sort().slice(0, MAX_FINGERPRINTS);
}

/**
 * Looks for stored fingerprints in a public artifact, every shingle of it, unsampled. One hit is a leak: the
 * stored list is already a one-in-four sample, so a leaked paragraph shows up as a handful of hits at best and a
 * leaked sentence as one, and a false hit needs eight consecutive words that the paid part has and the public
 * part does not share. Blocking on that rare false alarm costs an editor a look; missing a leak costs trust.
 * Lists of several reports may be concatenated and scanned at once.
 */
export function findLeaks(artifact: string, fingerprints: readonly string[]): LeakScan {
  const found = matchingFingerprints(artifact, fingerprints);
  return { hits: found.size, leaked: found.size >= 1 };
}

/** The stored fingerprints that occur in the artifact; one pass over it, however many reports they come from. */
export function matchingFingerprints(artifact: string, fingerprints: readonly string[]): Set<string> {
  const wanted = new Set(fingerprints);
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  const words = wordsOf(artifact);
  const sizes = new Set([SHINGLE_WORDS, ...fingerprints.map(shortShingleSize).filter((size) => size > 0)]);
  for (const size of sizes) {
    for (const fingerprint of shingles(words, size)) if (wanted.has(fingerprint)) found.add(fingerprint);
  }
  return found;
}

/** The words both sides compare; exported so tests and tools can see what the scan sees. */
export function wordsOf(text: string): string[] {
  const visible = markdownToText(markupToText(markupToText(jsonToText(text))));
  // A mark only counts inside a word: a variation selector after an emoji is not a word of its own.
  return (
    visible
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu) ?? []
  );
}

/**
 * An 8-word shingle is a 64-bit hash of its words, as 11 base64url characters; a shorter one carries its word count
 * as a 12th character, so the scan knows which window sizes to hash besides 8. Each word is hashed once and a
 * window combines its words' hashes: the feed publisher scans every artifact it writes, so this is its hot path.
 * The hash only has to spread well (sampling) and rarely collide (lookup); it guards nothing cryptographic.
 */
function shingles(words: readonly string[], size: number): string[] {
  const low = new Uint32Array(words.length);
  const high = new Uint32Array(words.length);
  words.forEach((word, index) => {
    low[index] = hashWord(word, 0x811c9dc5);
    high[index] = hashWord(word, 0x9e3779b9);
  });
  const digest = Buffer.alloc(8);
  const result: string[] = [];
  for (let start = 0; start + size <= words.length; start++) {
    let a = 0x243f6a88 ^ size;
    let b = 0x85a308d3 ^ size;
    for (let offset = 0; offset < size; offset++) {
      a = Math.imul(a ^ (low[start + offset] ?? 0), 0x01000193);
      b = Math.imul(b ^ (high[start + offset] ?? 0), 0x5bd1e995);
      b ^= b >>> 15;
    }
    digest.writeUInt32BE(mix(a ^ Math.imul(b, 0x27d4eb2d)), 0);
    digest.writeUInt32BE(mix(b ^ Math.imul(a, 0x165667b1)), 4);
    result.push(digest.toString('base64url') + (size < SHINGLE_WORDS ? String(size) : ''));
  }
  return result;
}

/** FNV-1a over UTF-16 code units, finished with a MurmurHash3 mix so every output bit depends on the word. */
function hashWord(word: string, seed: number): number {
  let hash = seed;
  for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 0x01000193);
  return mix(hash);
}

function mix(value: number): number {
  let hash = value ^ (value >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

function isSampled(fingerprint: string): boolean {
  const lastByte = Buffer.from(fingerprint, 'base64url')[7] ?? 0;
  return lastByte % SAMPLE_MODULUS === 0;
}

function shortShingleSize(fingerprint: string): number {
  return fingerprint.length === 12 ? Number(fingerprint.slice(11)) : 0;
}

/** A JSON artifact (JSON Feed) is read as its string values, so `\u00e9` and `\"` count as what they encode. */
function jsonToText(text: string): string {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    const strings: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') strings.push(value);
      else if (Array.isArray(value)) value.forEach(collect);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(JSON.parse(text) as unknown);
    return strings.join('\n');
  } catch {
    return text;
  }
}

const CDATA_DELIMITERS = /<!\[CDATA\[|\]\]>/g;
// Rendered footnote references are numbered per document, the Markdown ones are labelled, and the Sources
// heading exists only in HTML: none of them is prose the two sides share.
const HTML_FOOTNOTE_MARKUP = /<sup class="footnote-ref">[\s\S]*?<\/sup>|<section class="footnotes">\s*<h2>[^<]*<\/h2>/g;
const MARKUP = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<\/?[A-Za-z][^>]*>/g;
const ALT_ATTRIBUTE = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)')/i;

/** Run twice: escaped HTML inside XML (RSS description, Atom type="html") only becomes markup once decoded. */
function markupToText(text: string): string {
  const stripped = text
    .replace(CDATA_DELIMITERS, ' ')
    .replace(HTML_FOOTNOTE_MARKUP, ' ')
    .replace(MARKUP, (tag) => {
      // Alt text is prose in the Markdown source, so it has to count in HTML too.
      const alt = /^<img\b/i.test(tag) ? ALT_ATTRIBUTE.exec(tag) : null;
      return alt ? ` ${alt[1] ?? alt[2] ?? ''} ` : ' ';
    });
  return decodeEntities(stripped);
}

const MARKDOWN_FOOTNOTE_REF = /\[\^[^\]\s]+\]:?/g;
// `](url "title")` keeps only the title: the URL is not visible text, a caption is.
const MARKDOWN_DESTINATION = /\]\(\s*<?[^\s)>]*>?(?:\s+(?:"([^"]*)"|'([^']*)'))?\s*\)/g;

function markdownToText(text: string): string {
  return text
    .replace(MARKDOWN_FOOTNOTE_REF, ' ')
    .replace(MARKDOWN_DESTINATION, (_, double?: string, single?: string) => `] ${double ?? single ?? ''} `);
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#')) {
      const codePoint = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : ' ';
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}
