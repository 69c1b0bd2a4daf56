/**
 * Request path → site bucket key, for the local edge (`edge.ts`), which plays CloudFront in front of the site
 * bucket (issue 9, finding 6).
 *
 * Why this is strict: the local S3 client is path-style (`/{bucket}/{key}`), so a key such as
 * `../dispatch-vault/private-feeds/rss.xml` is resolved by the SDK/s3rver into *another bucket*: the vault with
 * paid parts, sources, compiled editions and private feeds. On AWS the site origin is the bucket's own host name
 * and the vault grants CloudFront nothing, but locally the key is the only fence. So the key must be a plain
 * relative name inside the site bucket, and anything that could be read as "go up", "start over" or "another
 * separator" is refused before any S3 call. Site keys are generated slugs (`reports/{slug}/index.html`,
 * `feeds/tags/{tag}/rss.xml`), so refusing every odd spelling costs no legitimate reader anything.
 */

/** S3's own limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

export type SiteKey = { ok: true; key: string } | { ok: false; status: 400; message: string };

const refuse = (message: string): SiteKey => ({ ok: false, status: 400, message });

/**
 * The path of a request target as the client sent it, still percent-encoded and without the query, or undefined
 * when the target has no path (`*`, garbage). Not `new URL(...).pathname`: the WHATWG parser resolves `..` and
 * `%2e%2e`, turns `\` into `/` and reads `//host/x` as a host, so the checks below would never see what the
 * client asked for.
 */
export function requestPath(target: string): string | undefined {
  let path = target;
  if (!path.startsWith('/')) {
    // Absolute form (`GET http://host/x HTTP/1.1`), which HTTP/1.1 servers must accept.
    const absolute = /^https?:\/\/[^/?#]*/i.exec(path);
    if (!absolute) return undefined;
    path = path.slice(absolute[0].length) || '/';
    if (!path.startsWith('/')) return undefined;
  }
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/**
 * Maps a raw (percent-encoded) request path to its key in the site bucket, as CloudFront plus the report-index
 * rewrite do: `/` → `index.html`, `/reports/{slug}/` → `reports/{slug}/index.html`, an extension-less last
 * segment → `{path}/index.html`, anything else → itself. Each segment is decoded exactly once; a path that is
 * not a plain key is refused with 400 instead of being "cleaned up", because a cleaned-up guess is how
 * traversal gets in.
 */
export function siteKeyFor(rawPath: string): SiteKey {
  if (!rawPath.startsWith('/')) return refuse('The path must start with /');
  // HTTP wants these percent-encoded; raw, they are either smuggling (CR, LF, NUL, backslash) or a client bug.
  if (/[^\x21-\x7e]/.test(rawPath)) return refuse('The path has characters that must be percent-encoded');
  if (rawPath.includes('\\')) return refuse('The path may not contain a backslash');
  if (/[?#]/.test(rawPath)) return refuse('The path may not contain a query or fragment');

  // Split on the slashes the client actually sent, then decode each segment once: a `/` or `\` that only
  // appears after decoding (`%2F`, `%5C`) would be a separator S3 or a file system sees but this check did not.
  const raw = rawPath.slice(1).split('/');
  const segments: string[] = [];
  for (const [index, encoded] of raw.entries()) {
    if (encoded === '') {
      // Only the trailing one (a directory: `/`, `/reports/x/`); `//x` or `a//b` would make `/x`-style keys.
      if (index === raw.length - 1) {
        segments.push('');
        continue;
      }
      return refuse('The path may not contain empty segments');
    }
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return refuse('The path is not valid percent-encoding');
    }
    const problem = segmentProblem(segment) ?? segmentProblem(segment.normalize('NFKC'));
    if (problem !== undefined) return refuse(problem);
    segments.push(segment);
  }

  let key = segments.join('/');
  if (key === '' || key.endsWith('/')) key += 'index.html';
  else if (!/\.[a-z0-9]+$/i.test(segments[segments.length - 1] ?? '')) key += '/index.html';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return refuse('The path is too long');
  return { ok: true, key };
}

/**
 * Why a decoded segment cannot be part of a site key, or undefined. Also applied to the segment's NFKC form:
 * nothing here normalises keys, but a later layer (a file system, a proxy, a future "helpful" change) might,
 * and fullwidth `．．／` (U+FF0E, U+FF0F) or `‥` (U+2025) become `../` under NFKC.
 */
function segmentProblem(segment: string): string | undefined {
  if (segment.includes('/')) return 'The path may not contain an encoded slash';
  if (segment.includes('\\')) return 'The path may not contain a backslash';
  // C0, DEL and C1 controls: NUL truncates keys in C-backed layers, CR/LF split log lines and headers.
  if (hasControlCharacter(segment)) return 'The path may not contain control characters';
  // Dot segments, including ones padded with spaces (`%20..`) that some layers trim.
  if (/^[.\s]+$/.test(segment)) return 'The path may not contain . or .. segments';
  // Decoded once, an escape is left: `%252F` → `%2F`. Whoever decodes it next would see a slash.
  if (/%[0-9a-f]{2}/i.test(segment)) return 'The path may not be percent-encoded twice';
  return undefined;
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
