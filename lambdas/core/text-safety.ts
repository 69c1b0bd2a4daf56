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
