import { describe, expect, it } from 'vitest';
import { MAX_NEXT_PATH_LENGTH, redirectPathAfterSignIn, safeNextPath } from '../../lambdas/core/members/next-path';

describe('the next path after sign-in', () => {
  it.each([
    '/',
    '/members/reports/kestrel-valley-outages/',
    '/members/editions/01JD8Z4X7RGQ2W3E4R5T6Y7V8J/',
    '/reports/a/?ref=mail#part-2',
    '/search?q=grid%20outage',
  ])('keeps the same-site path %s', (path) => {
    expect(safeNextPath(path)).toBe(path);
    expect(redirectPathAfterSignIn(path)).toBe(path);
  });

  it.each([
    ['a protocol-relative URL', '//evil.com'],
    ['a protocol-relative URL with a path', '//evil.com/members/'],
    ['a backslash browsers read as a slash', '/\\evil.com'],
    ['a backslash later on', '/members/\\\\evil.com'],
    ['an absolute URL', 'https://evil.com/'],
    ['a scheme', 'javascript:alert(1)'],
    ['a data URL', 'data:text/html,hi'],
    ['an encoded double slash', '/%2F%2Fevil.com'],
    ['an encoded backslash', '/%5Cevil.com'],
    ['a double-encoded double slash', '/%252F%252Fevil.com'],
    ['CR/LF (header splitting)', '/members/\r\nSet-Cookie: a=b'],
    ['encoded CR/LF', '/members/%0d%0aSet-Cookie:%20a=b'],
    ['a tab browsers drop inside URLs', '/\t/evil.com'],
    ['a NUL', '/members/\u0000'],
    ['a space', '/members/ reports'],
    ['a malformed escape', '/members/%zz'],
    ['a relative path', 'members/reports/a/'],
    ['an empty value', ''],
    ['a very long path', `/${'a'.repeat(MAX_NEXT_PATH_LENGTH)}`],
    ['quotes and angle brackets', '/"><script>'],
    ['a dot segment that normalises to a double slash', '/..//evil.com'],
    ['an encoded dot segment', '/%2e%2e//evil.com'],
    ['a dot segment inside', '/members/../reports/'],
    ['a single-dot segment', '/./members/'],
  ])('refuses %s and sends the reader home', (_what, path) => {
    expect(safeNextPath(path)).toBeUndefined();
    expect(redirectPathAfterSignIn(path)).toBe('/');
  });

  it('sends the reader home when there is no next at all', () => {
    expect(redirectPathAfterSignIn(undefined)).toBe('/');
  });
});
