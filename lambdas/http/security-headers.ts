/**
 * The security headers of every page, feed and file, in one place: the CloudFront response headers policy
 * (`lib/constructs/edge-distribution.ts`) is built from this, and the local gateway sends the same values. Plain
 * data, no AWS imports.
 *
 * The policy follows what the pages are (templates/pages, core/subscriber-pages.ts): static HTML without any
 * script, one inline `<style>` block, images from https URLs, forms that post to our own routes (unsubscribe, the
 * manage page), and no frames.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  'img-src https: data:',
  "style-src 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS = {
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  /** Confirmation and unsubscribe pages carry their token in the URL: it must not travel on as a Referer. */
  referrerPolicy: 'no-referrer',
  /** `frame-ancestors` for browsers that predate it. */
  frameOptions: 'DENY',
  strictTransportSecurity: { maxAgeSeconds: 365 * 24 * 60 * 60, includeSubdomains: true },
} as const;

/** Paths whose URL is a credential: never indexed, never kept by a shared cache. */
export const PRIVATE_FEED_PATH_PREFIX = '/feeds/private/';
export const PRIVATE_FEED_HEADERS = {
  'cache-control': 'private, no-store',
  'x-robots-tag': 'noindex',
} as const;

/**
 * Pages whose URL carries a reader's token (the manage page): the same rule as private feeds. The function sets
 * them itself, since the `/api/*` behaviour's policy leaves the origin's Cache-Control alone.
 */
export const TOKEN_PAGE_HEADERS = PRIVATE_FEED_HEADERS;

/**
 * Member pages (`/members/*`: a paid reader's full text, the paid edition, the sign-in form) and the member API's
 * pages: what one reader sees with their cookie must never be kept by a shared cache or shown by a search engine.
 * The same values as private feeds; CloudFront's `/members/*` behaviour and the local edge add them over whatever
 * the function says, and the function sets them itself on the `/api/members/*` answers.
 */
export const MEMBER_PATH_PREFIX = '/members/';
export const MEMBER_HEADERS = PRIVATE_FEED_HEADERS;

/** The same values as HTTP response headers (lower-case names), for the local gateway and tests. */
export function securityHeaderValues(): Record<string, string> {
  const hsts = SECURITY_HEADERS.strictTransportSecurity;
  return {
    'content-security-policy': SECURITY_HEADERS.contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': SECURITY_HEADERS.referrerPolicy,
    'x-frame-options': SECURITY_HEADERS.frameOptions,
    'strict-transport-security': `max-age=${hsts.maxAgeSeconds}${hsts.includeSubdomains ? '; includeSubDomains' : ''}`,
  };
}

/**
 * The editor console (`/console/`, built from templates/console): a same-origin script app, so it gets a policy of
 * its own. Scripts and styles only from our origin and never inline scripts; inline styles only because the
 * sandboxed preview frames (srcdoc, no scripts) inherit this policy and carry a style block; API calls only to our
 * origin; framed by nobody.
 */
export const CONSOLE_PATH_PREFIX = '/console/';
/**
 * The console's policy. `uploadOrigin` is where the image upload PUTs the bytes (a presigned URL into the site
 * bucket: S3 on AWS, s3rver locally), the one place besides our own origin the console may connect to.
 */
export function consoleContentSecurityPolicy(uploadOrigin?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    `connect-src 'self'${uploadOrigin === undefined ? '' : ` ${uploadOrigin}`}`,
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
export const CONSOLE_CONTENT_SECURITY_POLICY = consoleContentSecurityPolicy();
/**
 * Cache-Control for console responses whose object names none. The shell is stored with `no-store` (it names the
 * current assets); content-hashed assets carry their own long, immutable Cache-Control, which wins.
 */
export const CONSOLE_DEFAULT_CACHE_CONTROL = 'no-store';

/** The console's response headers (lower-case names), for the local gateway and tests. */
export function consoleHeaderValues(uploadOrigin?: string): Record<string, string> {
  return { ...securityHeaderValues(), 'content-security-policy': consoleContentSecurityPolicy(uploadOrigin) };
}
