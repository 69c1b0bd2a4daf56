import { describe, expect, it } from 'vitest';
import { requestPath, siteKeyFor } from '../../local/edge/site-path';
import { viewerRequest } from '../../local/edge/viewer-request';

const VAULT = 'dispatch-vault';

describe('siteKeyFor: paths that are plain site keys', () => {
  it.each([
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/reports/slug/', 'reports/slug/index.html'],
    ['/reports/slug', 'reports/slug/index.html'],
    ['/reports/grid-outage-2025/lead.jpg', 'reports/grid-outage-2025/lead.jpg'],
    ['/feeds/rss.xml', 'feeds/rss.xml'],
    ['/feeds/atom.xml', 'feeds/atom.xml'],
    ['/feeds/feed.json', 'feeds/feed.json'],
    ['/feeds/tags/tech-ai/rss.xml', 'feeds/tags/tech-ai/rss.xml'],
    ['/archive/', 'archive/index.html'],
    // Decoded once: an ordinary escape is an ordinary character.
    ['/reports/caf%C3%A9/', 'reports/café/index.html'],
    ['/reports/a%20b/', 'reports/a b/index.html'],
    ['/reports/%7Euser/', 'reports/~user/index.html'],
    // Dots inside a name are not dot segments.
    ['/reports/v1.2.3/', 'reports/v1.2.3/index.html'],
    ['/.well-known/security.txt', '.well-known/security.txt'],
    ['/reports/..slug/', 'reports/..slug/index.html'],
    // A lone `%` (from `%25`) not followed by two hex digits is a literal percent sign.
    ['/reports/100%25/', 'reports/100%/index.html'],
  ])('%s → %s', (path, key) => {
    expect(siteKeyFor(path)).toEqual({ ok: true, key });
  });
});

describe('siteKeyFor: traversal and smuggling vectors are refused', () => {
  it.each([
    // The reported one and its case/spelling variants.
    [`/..%2F${VAULT}%2Fprivate-feeds%2Frss.xml`, 'encoded slash'],
    [`/..%2f${VAULT}%2fpaid%2fx.json`, 'encoded slash'],
    [`/%2F..%2F${VAULT}%2Fpaid%2Fx.json`, 'encoded slash'],
    [`/feeds/rss.xml%2F..%2F..%2F${VAULT}%2Fprivate-feeds%2Frss.xml`, 'encoded slash'],
    [`/reports/slug%2F`, 'encoded slash'],
    // Dot segments, raw and percent-encoded in every case mix.
    [`/../${VAULT}/private-feeds/rss.xml`, '. or ..'],
    [`/feeds/../../${VAULT}/paid/x.json`, '. or ..'],
    [`/%2e%2e/${VAULT}/paid/x.json`, '. or ..'],
    [`/%2E%2E/${VAULT}/paid/x.json`, '. or ..'],
    [`/%2E./${VAULT}/paid/x.json`, '. or ..'],
    [`/.%2e/${VAULT}/paid/x.json`, '. or ..'],
    [`/%2e%2e%2f${VAULT}%2fpaid%2fx.json`, 'encoded slash'],
    ['/./index.html', '. or ..'],
    ['/%2e/index.html', '. or ..'],
    ['/reports/slug/.', '. or ..'],
    ['/reports/slug/..', '. or ..'],
    ['/reports/slug/%2E%2E', '. or ..'],
    ['/reports/slug/../', '. or ..'],
    ['/reports/%20../', '. or ..'],
    ['/reports/...%09/', 'control characters'],
    // Backslashes, raw and encoded.
    [`/..\\${VAULT}\\paid\\x.json`, 'backslash'],
    [`/..%5C${VAULT}%5Cpaid%5Cx.json`, 'backslash'],
    [`/..%5c${VAULT}%5cpaid%5cx.json`, 'backslash'],
    // NUL and other control characters.
    ['/feeds/rss.xml%00.html', 'control characters'],
    ['/feeds/rss.xml%0D%0ASet-Cookie:%20x=1', 'control characters'],
    ['/feeds/%7F.xml', 'control characters'],
    ['/feeds/%C2%85.xml', 'control characters'],
    ['/feeds/\u0000rss.xml', 'percent-encoded'],
    ['/feeds/rss .xml', 'percent-encoded'],
    ['/feeds/r\u00e9.xml', 'percent-encoded'],
    // Double encoding: decoded once, an escape remains.
    [`/..%252F${VAULT}%252Fprivate-feeds%252Frss.xml`, 'percent-encoded twice'],
    [`/%252e%252e/${VAULT}/paid/x.json`, 'percent-encoded twice'],
    ['/feeds/rss.xml%255C', 'percent-encoded twice'],
    ['/feeds/%2500.xml', 'percent-encoded twice'],
    // Empty segments that would make an absolute or doubled key.
    [`//${VAULT}/private-feeds/rss.xml`, 'empty segments'],
    ['//', 'empty segments'],
    ['/feeds//rss.xml', 'empty segments'],
    // Invalid percent-encoding, including overlong UTF-8 for `.` and `/`.
    ['/feeds/%zz.xml', 'not valid percent-encoding'],
    ['/feeds/rss.xml%', 'not valid percent-encoding'],
    ['/feeds/rss.xml%2', 'not valid percent-encoding'],
    [`/%C0%AE%C0%AE/${VAULT}/paid/x.json`, 'not valid percent-encoding'],
    [`/..%C0%AF${VAULT}/paid/x.json`, 'not valid percent-encoding'],
    ['/feeds/%ED%A0%80.xml', 'not valid percent-encoding'],
    // Unicode that NFKC folds into `.`, `/` or `\`: never allowed to become traversal later.
    [`/%EF%BC%8E%EF%BC%8E/${VAULT}/paid/x.json`, '. or ..'],
    [`/%EF%BC%8E%EF%BC%8E%EF%BC%8F${VAULT}%EF%BC%8Fpaid%EF%BC%8Fx.json`, 'encoded slash'],
    [`/..%EF%BC%8F${VAULT}%EF%BC%8Fpaid%EF%BC%8Fx.json`, 'encoded slash'],
    [`/..%EF%BC%BC${VAULT}%EF%BC%BCpaid%EF%BC%BCx.json`, 'backslash'],
    [`/%E2%80%A5/${VAULT}/paid/x.json`, '. or ..'],
    [`/%EF%B9%92%EF%B9%92/${VAULT}/paid/x.json`, '. or ..'],
    [`/..%EF%BC%852F${VAULT}/paid/x.json`, 'percent-encoded twice'],
    // Query and fragment never reach this function from the gateway; if they do, they are not key text.
    ['/feeds/rss.xml#..', 'query or fragment'],
    ['/feeds/rss.xml?x=1', 'query or fragment'],
    // Not a path at all.
    ['', 'must start with /'],
    [`..%2F${VAULT}%2Fpaid%2Fx.json`, 'must start with /'],
  ])('%s is refused (%s)', (path, reason) => {
    const result = siteKeyFor(path);
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(result.ok ? '' : result.message).toContain(reason);
  });

  it('refuses a key longer than S3 allows', () => {
    expect(siteKeyFor(`/${'a'.repeat(1021)}.xml`)).toMatchObject({ ok: false, status: 400 });
    expect(siteKeyFor(`/${'a'.repeat(1020)}.xml`)).toEqual({ ok: true, key: `${'a'.repeat(1020)}.xml` });
  });
});

describe('requestPath', () => {
  it.each([
    ['/feeds/rss.xml', '/feeds/rss.xml'],
    ['/feeds/rss.xml?x=1', '/feeds/rss.xml'],
    ['/..%2Fx?y', '/..%2Fx'],
    // Still raw: the dot segments and backslashes stay for siteKeyFor to refuse.
    ['/a/../b', '/a/../b'],
    ['/a\\b', '/a\\b'],
    ['//host/x', '//host/x'],
    ['http://localhost:8080/feeds/rss.xml?x', '/feeds/rss.xml'],
    ['http://localhost:8080', '/'],
    ['HTTP://localhost/../x', '/../x'],
  ])('%s → %s', (target, path) => {
    expect(requestPath(target)).toBe(path);
  });

  it.each(['*', 'localhost:80', 'ftp://host/x', ''])('%s has no path', (target) => {
    expect(requestPath(target)).toBeUndefined();
  });
});

describe('viewerRequest (the CloudFront report-index rewrite, run locally)', () => {
  it('redirects a report path without its trailing slash, as CloudFront does', () => {
    expect(viewerRequest('/reports/kestrel', 'GET')).toEqual({
      kind: 'respond',
      status: 301,
      headers: { location: '/reports/kestrel/', 'cache-control': 'public, max-age=3600' },
    });
  });

  it('forwards a report directory as its index.html and leaves other paths alone', () => {
    expect(viewerRequest('/reports/kestrel/', 'GET')).toEqual({ kind: 'forward', uri: '/reports/kestrel/index.html' });
    expect(viewerRequest('/feeds/rss.xml', 'HEAD')).toEqual({ kind: 'forward', uri: '/feeds/rss.xml' });
  });
});
