/**
 * Where a reader goes back to after signing in: the `next` of the sign-in page, the mail link and the confirm
 * form. It travels through a mail and a form, so it is attacker-controlled; only a plain path on this site is
 * followed, anything else sends the reader home. Pure.
 */

/** Longer than any page path of ours with room to spare; a longer `next` is not one we wrote. */
export const MAX_NEXT_PATH_LENGTH = 512;

/**
 * The characters a path, query and fragment may hold unescaped (RFC 3986 `pchar`, `/`, `?`, `#`, and `%` of an
 * escape). Everything else is refused rather than repaired: backslashes (browsers read `/\evil.com` as
 * `//evil.com`), whitespace and control characters (browsers drop tabs and newlines inside URLs, so `/\t/evil.com`
 * becomes `//evil.com`; CR/LF would split a header), quotes and angle brackets.
 */
const PATH_CHARACTERS = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#]*$/;

/**
 * A `.` or `..` path segment. Refused rather than normalised: `/..//evil.com` normalises to `//evil.com`, which a
 * later hop that re-reads the path could take for another host; no link of ours needs a dot segment.
 */
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|[?#]|$)/;

/** Peels percent-escapes until nothing changes (a few rounds at most), or undefined for a malformed escape. */
function fullyDecoded(path: string): string | undefined {
  let current = path;
  for (let round = 0; round < 4; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return undefined;
}

/**
 * `raw` when it is a same-site path: it starts with exactly one `/` (not `//`, not `/\`, so no other host), has no
 * scheme, no dot segments, no control characters and only URL characters, and stays so however often it is
 * percent-decoded (`/%2F%2Fevil.com` is refused, though a browser would keep it on this site, because a later hop
 * might decode it); undefined otherwise.
 */
export function safeNextPath(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length === 0 || raw.length > MAX_NEXT_PATH_LENGTH) return undefined;
  if (!PATH_CHARACTERS.test(raw)) return undefined;
  const decoded = fullyDecoded(raw);
  if (decoded === undefined) return undefined;
  for (const candidate of [raw, decoded]) {
    if (candidate.startsWith('//') || candidate.startsWith('/\\')) return undefined;
    if (DOT_SEGMENT.test(candidate)) return undefined;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\\]/.test(candidate)) return undefined;
  }
  return raw;
}

/** Where the sign-in POST redirects: the safe `next`, else the home page. */
export function redirectPathAfterSignIn(raw: string | undefined): string {
  return safeNextPath(raw) ?? '/';
}
