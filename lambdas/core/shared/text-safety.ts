/**
 * Characters XML 1.0 forbids outright (§2.2 Char): C0 controls other than tab, LF and CR, U+FFFE, U+FFFF and
 * surrogate halves that do not form a pair. A single one of them makes a whole feed unparseable, so intake
 * removes them from every submitted string before anything is stored or rendered.
 *
 * With the `u` flag a well-formed surrogate pair is one code point (U+10000 and up, allowed), so the negated
 * class only meets a surrogate when it stands alone.
 */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function stripXmlIllegal(text: string): string {
  return text.replace(XML_ILLEGAL, '');
}

/**
 * Deep-applies {@link stripXmlIllegal} to every string of a JSON-like value, object keys included, and returns a
 * copy. Anything that is not a plain object, array or string (numbers, booleans, null, Dates) is returned as is.
 */
export function sanitizeStrings<T>(value: T): T {
  return clean(value) as T;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return stripXmlIllegal(value);
  if (Array.isArray(value)) return value.map(clean);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [stripXmlIllegal(key), clean(entry)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Characters that take no space and show nothing, or reorder what is shown: zero-width space, word joiner,
 * byte order mark, soft hyphen, Mongolian vowel separator, invisible math operators, Hangul fillers, and every
 * bidi control (LRM/RLM/ALM, embeddings, overrides, isolates). In a title or a name they only ever hide text
 * (a title of three zero-width spaces shows as nothing) or disguise it (an override shows `exe.gnp` as `gnp.exe`).
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0]/gu;
/** Zero-width (non-)joiners carry meaning between two characters (emoji sequences, Persian, Indic scripts). */
const JOINERS = /[\u200C\u200D]+/gu;

/**
 * Strips {@link INVISIBLE} characters, and joiners that join nothing (at an edge, next to a space or to another
 * invisible character). Meant for short display fields (titles, summaries, tags, names); bodies keep theirs.
 */
export function stripInvisible(text: string): string {
  const stripped = text.replace(INVISIBLE, '');
  return stripped.replace(JOINERS, (run: string, offset: number, whole: string) => {
    const before = whole[offset - 1];
    const after = whole[offset + run.length];
    return joins(before) && joins(after) ? run.charAt(0) : '';
  });
}

function joins(char: string | undefined): boolean {
  return char !== undefined && !/\s/u.test(char);
}

/** A character a reader can see: not a space, control, format character, lone combining mark, filler or blank. */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\u115F\u1160\u2800\u3164\uFFA0]/u;

export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text);
}
