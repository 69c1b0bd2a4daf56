import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { PRIVATE_FEED_HEADERS, PRIVATE_FEED_PATH_PREFIX, securityHeaderValues } from '../lambdas/http/security-headers';
import {
  PATH_PARAMETERS,
  RATE_LIMITED_BODY,
  routeKey,
  type FunctionName,
  type RouteDefinition,
} from '../lambdas/routes';
import { ClientRateLimiter } from './client-rate-limiter';
import type { Invoke } from './delivery';
import { lambdaContext } from './lambda-context';
import { listenOn } from './listen';
import { requestPath, siteKeyFor } from './site-path';
import { readBody } from './stream-proxy';

/** Site paths that are public by construction (slugs and tags are lowercase words), so the log may show them. */
const PUBLIC_SITE_PATH =
  /^\/(index\.html)?$|^\/reports\/[a-z0-9-]+\/(index\.html)?$|^\/feeds\/(tags\/[a-z0-9-]+\/)?(rss\.xml|atom\.xml|feed\.json)$/;

/** API Gateway's own payload limit for HTTP APIs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** What the CloudFront response headers policies add to every response (lib/constructs/edge-distribution.ts). */
const SECURITY_HEADERS = securityHeaderValues();

interface CompiledRoute {
  route: RouteDefinition;
  key: string;
  pattern: RegExp;
  params: string[];
}

export interface GatewayOptions {
  routes: readonly RouteDefinition[];
  functions: (name: FunctionName) => Invoke<APIGatewayProxyEventV2>;
  authorizer: Invoke<APIGatewayRequestAuthorizerEventV2>;
  s3: S3Client;
  siteBucket: string;
  /** Logs one line per request (method, path, status); never headers or bodies. */
  log?: (line: string) => void;
  /** Enforce each route's `clientRateLimit` as the WAF rule does on AWS. @default true */
  clientRateLimits?: boolean;
}

/**
 * Plays API Gateway (HTTP API, payload 2.0, Lambda authorizer with simple responses) for `/api/*` and
 * `/feeds/private/*`, and CloudFront in front of the site bucket for every other path.
 */
export class Gateway {
  private server: Server | undefined;
  private readonly compiled: CompiledRoute[];
  private readonly rateLimiter = new ClientRateLimiter();

  constructor(private readonly options: GatewayOptions) {
    this.compiled = options.routes
      .map((route) => {
        const params: string[] = [];
        const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
          params.push(name);
          return '([^/]+)';
        });
        return { route, key: routeKey(route), pattern: new RegExp(`^${source}$`), params };
      })
      // API Gateway prefers the most specific route: literal segments beat parameters.
      .sort((a, b) => a.params.length - b.params.length);
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = createServer((req, res) => {
      const started = Date.now();
      this.handle(req, res)
        .catch((error: unknown) => {
          this.options.log?.(`gateway error: ${error instanceof Error ? error.message : String(error)}`);
          if (!res.headersSent)
            sendJson(res, 500, { error: { code: 'internal_error', message: 'Internal Server Error' } });
          else res.end();
        })
        .finally(() => {
          this.options.log?.(`${req.method} ${this.loggedPath(req)} ${res.statusCode} ${Date.now() - started}ms`);
        });
    });
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await listenOn(server, port, host);
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }

  /**
   * What the access log shows for a request: the route template for API routes (`PUT /api/subscribers/{email}`,
   * never the address), plus the id where the route has one; public site paths as they are; anything else as
   * `(other)`. A raw path can carry an address, a private feed token or whatever a client typed.
   */
  private loggedPath(req: IncomingMessage): string {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const route = this.compiled.find((candidate) => candidate.route.method === method && candidate.pattern.test(path));
    if (route) {
      const id = route.params.includes('id')
        ? safeDecode(route.pattern.exec(path)?.[route.params.indexOf('id') + 1] ?? '')
        : undefined;
      return id !== undefined && PATH_PARAMETERS.id.pattern.test(id)
        ? `${route.route.path} id=${id}`
        : route.route.path;
    }
    return PUBLIC_SITE_PATH.test(path) ? path : '(other)';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // As CloudFront's response headers policies do, on every response (whatever writes it later keeps these).
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if ((req.url ?? '').startsWith(PRIVATE_FEED_PATH_PREFIX)) {
      for (const [name, value] of Object.entries(PRIVATE_FEED_HEADERS)) res.setHeader(name, value);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const match = this.match(method, url.pathname);
    if (match) {
      const limit = this.options.clientRateLimits === false ? undefined : match.route.route.clientRateLimit;
      if (limit) {
        const client = req.socket.remoteAddress ?? 'unknown';
        const decision = this.rateLimiter.hit(match.route.key, client, limit, new Date());
        if (!decision.allowed) {
          // What the WAF rule's custom response answers on AWS (lib/constructs/edge-firewall.ts).
          req.resume();
          sendJson(res, 429, RATE_LIMITED_BODY, { 'retry-after': String(decision.retryAfterSeconds) });
          return;
        }
      }
      const body = await readBody(req);
      if (body.length > MAX_PAYLOAD_BYTES) {
        sendJson(res, 413, { error: { code: 'payload_too_large', message: 'Request Entity Too Large' } });
        return;
      }
      await this.invokeRoute(match.route, match.pathParameters, req, url, body, res);
      return;
    }
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/feeds/private/')) {
      const known = this.compiled.some((c) => c.pattern.test(url.pathname));
      sendJson(res, known ? 405 : 404, {
        error: known
          ? { code: 'method_not_allowed', message: `${method} is not allowed on ${url.pathname}` }
          : { code: 'not_found', message: `No route ${method} ${url.pathname}` },
      });
      return;
    }
    await this.serveStatic(req, res);
  }

  private match(
    method: string,
    path: string,
  ): { route: CompiledRoute; pathParameters: Record<string, string> } | undefined {
    for (const compiled of this.compiled) {
      if (compiled.route.method !== method) continue;
      const found = compiled.pattern.exec(path);
      if (!found) continue;
      const values = compiled.params.map((_, index) => safeDecode(found[index + 1] ?? ''));
      if (values.some((value) => value === undefined)) return undefined; // a malformed escape matches no route
      const pathParameters = Object.fromEntries(compiled.params.map((name, index) => [name, values[index] ?? '']));
      return { route: compiled, pathParameters };
    }
    return undefined;
  }

  private async invokeRoute(
    compiled: CompiledRoute,
    pathParameters: Record<string, string>,
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const headers = flattenHeaders(req);
    const requestId = randomUUID();
    const now = new Date();
    const requestContext = {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: compiled.route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: compiled.key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    };
    const queryStringParameters = queryParameters(url);
    let authorizerContext: Record<string, unknown> | undefined;
    if (compiled.route.access !== 'public') {
      if (!headers.authorization) {
        sendJson(res, 401, { error: { code: 'unauthorized', message: 'A bearer token is required' } });
        return;
      }
      const authorizerEvent: APIGatewayRequestAuthorizerEventV2 = {
        version: '2.0',
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${compiled.route.method}${compiled.route.path}`,
        identitySource: [headers.authorization],
        routeKey: compiled.key,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        cookies: [],
        headers,
        queryStringParameters,
        requestContext,
        pathParameters,
        stageVariables: {},
      };
      let decision: APIGatewaySimpleAuthorizerWithContextResult<Record<string, unknown>>;
      try {
        decision = (await this.options.authorizer(authorizerEvent, lambdaContext('authorizer'))) as typeof decision;
      } catch (error) {
        if (error instanceof Error && error.message === 'Unauthorized') {
          sendJson(res, 401, { error: { code: 'unauthorized', message: 'The bearer token is not valid' } });
        } else {
          sendJson(res, 500, { error: { code: 'authorizer_error', message: 'Internal Server Error' } });
        }
        return;
      }
      if (!decision.isAuthorized) {
        sendJson(res, 403, { error: { code: 'forbidden', message: 'This token may not call this route' } });
        return;
      }
      authorizerContext = decision.context;
    }
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: compiled.key,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
      ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
      requestContext: {
        ...requestContext,
        ...(authorizerContext ? { authorizer: { lambda: authorizerContext } } : {}),
      } as APIGatewayProxyEventV2['requestContext'],
      ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
      isBase64Encoded: false,
    };
    let result: unknown;
    try {
      result = await this.options.functions(compiled.route.fn)(event, lambdaContext(compiled.route.fn));
    } catch (error) {
      // A handler that throws is a 500 on AWS too; say which, without the event.
      this.options.log?.(`${compiled.route.fn} threw: ${error instanceof Error ? error.message : String(error)}`);
      sendJson(res, 500, { error: { code: 'internal_error', message: 'Internal Server Error' } });
      return;
    }
    // The private feed policy overrides what the function says, as CloudFront's `override: true` does.
    writeResult(res, result, compiled.route.path.startsWith(PRIVATE_FEED_PATH_PREFIX) ? PRIVATE_FEED_HEADERS : {});
  }

  /**
   * CloudFront in front of the site bucket, and only the site bucket: directory paths map to index.html;
   * conditional GETs get 304; a path that is not a plain site key is a 400 (see `site-path.ts`).
   */
  private async serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'Only GET and HEAD are allowed' } });
      return;
    }
    // The raw target, not `url.pathname`: WHATWG parsing has already resolved `..`/`%2e%2e` and rewritten `\`,
    // which hides the attempt. The key must stay inside the site bucket: the S3 client is path-style, so a key
    // like `../dispatch-vault/…` would be read from the vault (issue 9, finding 6). Refused before any S3 call.
    const site = siteKeyFor(requestPath(req.url ?? '/') ?? '');
    if (!site.ok) {
      sendJson(res, site.status, { error: { code: 'bad_request', message: site.message } });
      return;
    }
    const key = site.key;
    let object;
    try {
      object = await this.options.s3.send(new GetObjectCommand({ Bucket: this.options.siteBucket, Key: key }));
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end('<!doctype html><title>Not found</title><h1>Not found</h1>');
        return;
      }
      throw error;
    }
    const etag = object.ETag ?? '';
    const lastModified = object.LastModified?.toUTCString() ?? '';
    const headers: Record<string, string> = {
      'content-type': object.ContentType ?? 'application/octet-stream',
      ...(object.CacheControl ? { 'cache-control': object.CacheControl } : {}),
      ...(etag ? { etag } : {}),
      ...(lastModified ? { 'last-modified': lastModified } : {}),
    };
    if (notModified(req, etag, object.LastModified)) {
      object.Body?.transformToByteArray().catch(() => undefined);
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
    res.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date | undefined): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch) {
    return ifNoneMatch.split(',').some((tag) => {
      const candidate = tag.trim().replace(/^W\//, '');
      return candidate === '*' || candidate === etag;
    });
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince && lastModified) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function queryParameters(url: URL): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  }
  return parameters;
}

function writeResult(res: ServerResponse, result: unknown, overrides: Readonly<Record<string, string>>): void {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    const body = structured.body
      ? Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8')
      : Buffer.alloc(0);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name] = String(value);
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
    Object.assign(headers, overrides);
    headers['content-length'] = String(body.length);
    res.writeHead(structured.statusCode ?? 200, headers);
    res.end(body);
    return;
  }
  // HTTP API payload 2.0: a bare value is a 200 JSON response.
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
