import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeStrings, stripXmlIllegal } from '../../lambdas/core/shared/text-safety';

const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

describe('stripXmlIllegal', () => {
  it('keeps tab, line feed and carriage return', () => {
    expect(stripXmlIllegal('gauge\tlevel\r\nrising\n')).toBe('gauge\tlevel\r\nrising\n');
  });

  it('removes the other C0 controls', () => {
    expect(stripXmlIllegal('flow\u0000 \u0001rate\u0008\u000b\u000c\u000e\u001f ok')).toBe('flow rate ok');
  });

  it('removes U+FFFE and U+FFFF but keeps U+FFFD and private use', () => {
    expect(stripXmlIllegal('a\uFFFEb\uFFFFc\uFFFDd\uE000')).toBe('abc\uFFFDd\uE000');
  });

  it('removes lone surrogates and keeps surrogate pairs', () => {
    expect(stripXmlIllegal('high\uD83D alone, low \uDC4D alone, reversed \uDC4D\uD83D')).toBe(
      'high alone, low  alone, reversed ',
    );
    expect(stripXmlIllegal('river 🌊 team 👩‍🔬 𝔘')).toBe('river 🌊 team 👩‍🔬 𝔘');
  });

  it('leaves Arabic, accents and markup-like text alone: escaping is the renderers’ job', () => {
    const text = 'محطة الرصد ١٢ — café naïve <script>x</script> ]]> &amp;';
    expect(stripXmlIllegal(text)).toBe(text);
  });

  it('leaves only XML characters, for any string, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodeUnit, maxLength: 200 }), (text) => {
        const clean = stripXmlIllegal(text);
        expect(clean).toMatch(XML_CHAR);
        expect(stripXmlIllegal(clean)).toBe(clean);
      }),
      { numRuns: 500 },
    );
  });
});

describe('sanitizeStrings', () => {
  it('cleans every string of a nested value, keys included, and keeps other values', () => {
    const input = {
      title: 'Basin\u0007 report',
      tags: ['flood\u0000', 'drought'],
      nested: { 'key\u0001': [{ deep: 'x\uFFFFy' }], count: 3, draft: false, none: null },
    };
    expect(sanitizeStrings(input)).toEqual({
      title: 'Basin report',
      tags: ['flood', 'drought'],
      nested: { key: [{ deep: 'xy' }], count: 3, draft: false, none: null },
    });
  });

  it('returns a copy and does not touch its input', () => {
    const input = { body: 'a\u0000b', list: ['c\u0000'] };
    const output = sanitizeStrings(input);
    expect(input).toEqual({ body: 'a\u0000b', list: ['c\u0000'] });
    expect(output).not.toBe(input);
  });

  it('handles bare strings, numbers and non-plain objects', () => {
    const when = new Date('2026-11-24T09:00:00Z');
    expect(sanitizeStrings('a\u0000')).toBe('a');
    expect(sanitizeStrings(42)).toBe(42);
    expect(sanitizeStrings(undefined)).toBeUndefined();
    expect(sanitizeStrings({ when }).when).toBe(when);
  });

  it('does not turn a "__proto__" key into a prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes\\u0000"}}') as Record<string, unknown>;
    const output = sanitizeStrings(input);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, '__proto__')?.value).toEqual({ polluted: 'yes' });
  });

  it('leaves no illegal character anywhere in a random JSON value', () => {
    const illegalAnywhere = (value: unknown): boolean =>
      typeof value === 'string'
        ? !XML_CHAR.test(value)
        : Array.isArray(value)
          ? value.some(illegalAnywhere)
          : value !== null && typeof value === 'object'
            ? Object.entries(value).some(([key, entry]) => !XML_CHAR.test(key) || illegalAnywhere(entry))
            : false;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: anyCodeUnit }), (value, noise) => {
        expect(illegalAnywhere(sanitizeStrings({ value, noise, [noise]: [noise] }))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
