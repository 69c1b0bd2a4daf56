import type { RoutedFunctionName } from './app-model';
import { MAX_SLUG_LENGTH, SLUG_PATTERN } from './core/reports/slug-pattern';
import type { RateLimit } from './core/subscribers/rate-limit';

/**
 * Every HTTP route of the API, with the function that serves it and who may call it. The CDK stack builds
 * the HTTP API from this list, the local gateway dispatches by it, and the authorizer reads the required
 * role from it — so a route cannot be public in one place and protected in another.
 */
export type Access = 'public' | 'editor' | 'admin';

/** A function of the app model with a `routes` trigger; a route naming any other function does not compile. */
export type FunctionName = RoutedFunctionName;

/** The 429 body for a client over its `clientRateLimit`: the WAF rule's custom response and the local gateway's. */
export const RATE_LIMITED_BODY = {
  error: { code: 'rate_limited', message: 'Too many requests from this client; try again in a minute' },
} as const;

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `{name}` for a path parameter. */
  path: string;
  fn: FunctionName;
  access: Access;
  /**
   * Requests one client IP may make; more get 429 with Retry-After. On AWS a WAF rate rule on the CloudFront
   * distribution enforces it (WAF cannot attach to an HTTP API), locally the gateway does.
   */
  clientRateLimit?: RateLimit;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/api/health', fn: 'health', access: 'public' },
  { method: 'GET', path: '/api/editors', fn: 'editors-api', access: 'admin' },
  { method: 'POST', path: '/api/editors', fn: 'editors-api', access: 'admin' },
  { method: 'DELETE', path: '/api/editors/{id}', fn: 'editors-api', access: 'admin' },
  { method: 'POST', path: '/api/reports', fn: 'reports-api', access: 'editor' },
  { method: 'POST', path: '/api/reports/preview', fn: 'reports-api', access: 'editor' },
  { method: 'GET', path: '/api/reports', fn: 'reports-api', access: 'editor' },
  { method: 'GET', path: '/api/reports/{id}', fn: 'reports-api', access: 'editor' },
  { method: 'PUT', path: '/api/reports/{id}', fn: 'reports-api', access: 'editor' },
  { method: 'DELETE', path: '/api/reports/{id}', fn: 'reports-api', access: 'editor' },
  { method: 'POST', path: '/api/media', fn: 'media-api', access: 'editor' },
  { method: 'POST', path: '/api/media/{name}/check', fn: 'media-api', access: 'editor' },
  {
    method: 'POST',
    path: '/api/subscribers',
    fn: 'subscribers-api',
    access: 'public',
    clientRateLimit: { requests: 30, windowSeconds: 60 },
  },
  { method: 'GET', path: '/api/subscribers/confirm', fn: 'subscribers-api', access: 'public' },
  { method: 'GET', path: '/api/subscribers/manage', fn: 'subscribers-api', access: 'public' },
  { method: 'POST', path: '/api/subscribers/manage', fn: 'subscribers-api', access: 'public' },
  { method: 'GET', path: '/api/unsubscribe', fn: 'subscribers-api', access: 'public' },
  { method: 'POST', path: '/api/unsubscribe', fn: 'subscribers-api', access: 'public' },
  { method: 'GET', path: '/api/subscribers', fn: 'subscribers-api', access: 'admin' },
  { method: 'PUT', path: '/api/subscribers/{email}', fn: 'subscribers-api', access: 'admin' },
  { method: 'GET', path: '/api/subscribers/{email}/feed-url', fn: 'subscribers-api', access: 'admin' },
  { method: 'POST', path: '/api/digests', fn: 'digests-api', access: 'admin' },
  { method: 'GET', path: '/api/digests', fn: 'digests-api', access: 'admin' },
  { method: 'GET', path: '/api/digests/preview', fn: 'digests-api', access: 'admin' },
  // An unsaved report's email block for the report editor: an editor's route on the one function carrying MJML.
  { method: 'POST', path: '/api/digests/preview-report', fn: 'digests-api', access: 'editor' },
  {
    method: 'POST',
    path: '/api/digests/test',
    fn: 'digests-api',
    access: 'admin',
    // Each call is a real SES send: a light brake on a runaway client or script.
    clientRateLimit: { requests: 10, windowSeconds: 60 },
  },
  { method: 'GET', path: '/api/digests/{id}', fn: 'digests-api', access: 'admin' },
  { method: 'GET', path: '/api/digests/{id}/deliveries', fn: 'digests-api', access: 'admin' },
  { method: 'POST', path: '/api/digests/{id}/pause', fn: 'digests-api', access: 'admin' },
  { method: 'POST', path: '/api/digests/{id}/resume', fn: 'digests-api', access: 'admin' },
  { method: 'POST', path: '/api/digests/{id}/cancel', fn: 'digests-api', access: 'admin' },
  { method: 'POST', path: '/api/digests/{id}/retry-unknown', fn: 'digests-api', access: 'admin' },
  { method: 'GET', path: '/feeds/private/{token}/{file}', fn: 'private-feed', access: 'public' },
  {
    method: 'POST',
    path: '/api/members/login',
    fn: 'members',
    access: 'public',
    // Each call queues a mail (the worker's per-address cooldown stops an inbox flood): a brake per client.
    clientRateLimit: { requests: 10, windowSeconds: 60 },
  },
  { method: 'GET', path: '/api/members/session', fn: 'members', access: 'public' },
  { method: 'POST', path: '/api/members/session', fn: 'members', access: 'public' },
  { method: 'POST', path: '/api/members/logout', fn: 'members', access: 'public' },
  // Readers ask for these with a trailing slash; the edge strips it (lib/edge/member-path-rewrite.ts).
  { method: 'GET', path: '/members/sign-in', fn: 'members', access: 'public' },
  { method: 'GET', path: '/members/reports/{slug}', fn: 'members', access: 'public' },
  { method: 'GET', path: '/members/editions/{id}', fn: 'members', access: 'public' },
  // No editor token: Stripe signs each delivery, and the function checks that signature before anything else.
  { method: 'POST', path: '/api/billing/stripe', fn: 'billing-webhook', access: 'public' },
];

/**
 * What each path parameter may hold. The API wrapper (`lambdas/http/api.ts`) checks every parameter of the route
 * against its rule before the handler runs, so no handler (and no database call: a DynamoDB key has a size
 * limit) ever sees an oversized or malformed one; the answer is a 400 naming the parameter. Plain data, no zod:
 * the authorizer and the CDK app import this file too. A route may only use parameter names listed here
 * (`test/unit/path-parameters.test.ts`).
 */
export interface PathParameterRule {
  /** Tested against the decoded value. */
  pattern: RegExp;
  maxLength: number;
  /** Completes "must be …" in the 400. */
  description: string;
}

export const PATH_PARAMETERS = {
  /** Report, editor and edition ids are ULIDs (Crockford base32, 26 characters). */
  id: { pattern: /^[0-9A-HJKMNP-TV-Z]{26}$/, maxLength: 26, description: 'an id of 26 characters, e.g. 01JD8Z4X7RG…' },
  /** Shape only (RFC 5321 lengths); the subscriber service normalises and fully validates the address. */
  email: {
    pattern: /^[^\s@/]{1,64}@[^\s@/]+$/u,
    maxLength: 254,
    description: 'an email address of at most 254 characters',
  },
  /** A private feed token's alphabet and a generous length; the handler verifies the signature (404 otherwise). */
  token: { pattern: /^[A-Za-z0-9._-]+$/, maxLength: 128, description: 'a feed token' },
  file: { pattern: /^[a-z]+\.[a-z]+$/, maxLength: 16, description: 'a feed file name such as rss.xml' },
  /** A report's slug (lambdas/core/reports/slug.ts): lowercase words joined by hyphens, at most 80 characters. */
  slug: {
    pattern: SLUG_PATTERN,
    maxLength: MAX_SLUG_LENGTH,
    description: 'a report slug: lowercase words joined by hyphens, at most 80 characters',
  },
  /** An uploaded image's content-addressed name (lambdas/core/media/media-names.ts). */
  name: {
    pattern: /^[0-9a-f]{64}\.(jpg|png|webp|gif)$/,
    maxLength: 69,
    description: 'a media file name: the SHA-256 as 64 lowercase hex characters, then .jpg, .png, .webp or .gif',
  },
} as const satisfies Record<string, PathParameterRule>;

export type PathParameterName = keyof typeof PATH_PARAMETERS;

/** The `{name}` parameters of a route path or route key, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
}

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

const ACCESS_BY_ROUTE_KEY = new Map(ROUTES.map((route) => [routeKey(route), route.access]));

/** The role a route demands; unknown route keys are treated as admin-only so a new route fails closed. */
export function requiredAccess(key: string): Access {
  return ACCESS_BY_ROUTE_KEY.get(key) ?? 'admin';
}
