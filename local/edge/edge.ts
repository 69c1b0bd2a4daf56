import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CONSOLE_DEFAULT_CACHE_CONTROL,
  CONSOLE_PATH_PREFIX,
  consoleHeaderValues,
  MEMBER_HEADERS,
  MEMBER_PATH_PREFIX,
  PRIVATE_FEED_HEADERS,
  PRIVATE_FEED_PATH_PREFIX,
  securityHeaderValues,
} from '../../lambdas/http/security-headers';
import type { HttpApi } from '../api/http-api';
import { serveSite, type SiteOrigin } from './site-origin';
import { requestPath } from './site-path';
import { memberViewerRequest } from './viewer-request';

/** What the CloudFront response headers policies add to every response (lib/constructs/edge-distribution.ts). */
const SECURITY_HEADERS = securityHeaderValues();
/** The distribution's behaviours that go to the API origin; everything else goes to the site bucket. */
const API_PATH_PREFIXES = ['/api/', PRIVATE_FEED_PATH_PREFIX];
/**
 * Site paths that are public by construction (slugs and tags are lowercase words, edition ids ULIDs, uploaded
 * images are named by their hash), so the log may show them.
 */
const PUBLIC_SITE_PATH =
  /^\/(index\.html)?$|^\/reports\/[a-z0-9-]+\/(index\.html)?$|^\/editions\/([0-9A-Z]{26}\/)?(index\.html)?$|^\/feeds\/(tags\/[a-z0-9-]+\/)?(rss\.xml|atom\.xml|feed\.json)$|^\/console\/(index\.html|assets\/[A-Za-z0-9-]+\.(js|css))?$|^\/media\/[0-9a-f]{64}\.(jpg|png|webp|gif)$/;

/**
 * Plays the CloudFront distribution: security headers on every response, the private-feed policy on
 * `/feeds/private/*`, the console policy on `/console/*`, `/api/*` and `/feeds/private/*` to the HTTP API,
 * `/members/*` to the HTTP API through its viewer-request function with the member policy (private, no-store,
 * noindex), every other path to the site bucket.
 */
export class Edge {
  /** The `/console/*` behaviour's policy: the console's CSP, and no-store unless the object names its own caching. */
  private readonly consoleHeaders: Record<string, string>;

  /** @param uploadOrigin where the console's image upload PUTs (s3rver), allowed by the console's CSP */
  constructor(
    private readonly api: HttpApi,
    private readonly site: SiteOrigin,
    uploadOrigin?: string,
  ) {
    this.consoleHeaders = consoleHeaderValues(uploadOrigin);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // As the response headers policies do, on every response (whatever writes it later keeps these).
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const privateFeed = (req.url ?? '').startsWith(PRIVATE_FEED_PATH_PREFIX);
    if (privateFeed) {
      for (const [name, value] of Object.entries(PRIVATE_FEED_HEADERS)) res.setHeader(name, value);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (API_PATH_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) {
      // The private feed policy overrides what the function says, as CloudFront's `override: true` does.
      const overrides = url.pathname.startsWith(PRIVATE_FEED_PATH_PREFIX) ? PRIVATE_FEED_HEADERS : {};
      await this.api.handle(req, res, url, overrides);
      return;
    }
    if (url.pathname.startsWith(MEMBER_PATH_PREFIX)) {
      await this.member(req, res, url);
      return;
    }
    // Matched on the path as sent, like a CloudFront path pattern (`/console/*`), not on a resolved one.
    if ((requestPath(req.url ?? '/') ?? '').startsWith(CONSOLE_PATH_PREFIX)) {
      for (const [name, value] of Object.entries(this.consoleHeaders)) res.setHeader(name, value);
      // `override: false`: the object's own Cache-Control (immutable assets) replaces this in serveSite.
      res.setHeader('cache-control', CONSOLE_DEFAULT_CACHE_CONTROL);
    }
    await serveSite(req, res, this.site);
  }

  /**
   * The `/members/*` behaviour: the member policy overrides what the function says (as `override: true` does on
   * AWS), and the viewer-request function strips a page's trailing slash or redirects to it before the API.
   */
  private async member(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    for (const [name, value] of Object.entries(MEMBER_HEADERS)) res.setHeader(name, value);
    const rewrite = memberViewerRequest(url.pathname, req.method ?? 'GET', url.searchParams);
    if (rewrite.kind === 'respond') {
      req.resume();
      res.writeHead(rewrite.status, { ...rewrite.headers, ...MEMBER_HEADERS });
      res.end();
      return;
    }
    await this.api.handle(req, res, new URL(`${rewrite.uri}${url.search}`, url), MEMBER_HEADERS);
  }

  /**
   * What the access log shows for a request: the route template for API routes (see `RouteTable.loggedPath`),
   * public site paths as they are, anything else as `(other)`. A raw path can carry an address, a private feed
   * token or whatever a client typed.
   */
  loggedPath(req: IncomingMessage): string {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Member pages are asked for with a trailing slash, which the edge strips before the API (see `member`).
    const routed = path.startsWith(MEMBER_PATH_PREFIX) && path.endsWith('/') ? path.slice(0, -1) : path;
    const route = this.api.routes.loggedPath(req.method ?? 'GET', routed);
    if (route !== undefined) return route;
    return PUBLIC_SITE_PATH.test(path) ? path : '(other)';
  }
}
