import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';
import type { RouteMatch } from './route-table';

/**
 * The events an HTTP API (payload format 2.0) sends its Lambdas, and how it turns their results into responses.
 * One request's facts are read once into `ApiRequest`, so the authorizer and the route see the same ones.
 */
export interface ApiRequest {
  match: RouteMatch;
  url: URL;
  headers: Record<string, string>;
  queryStringParameters: Record<string, string>;
  requestContext: APIGatewayEventRequestContextV2;
}

export function apiRequest(req: IncomingMessage, url: URL, match: RouteMatch): ApiRequest {
  const headers = flattenHeaders(req);
  const now = new Date();
  return {
    match,
    url,
    headers,
    queryStringParameters: queryParameters(url),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: match.route.route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: match.route.key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

export function authorizerEvent(request: ApiRequest, authorization: string): APIGatewayRequestAuthorizerEventV2 {
  const { route } = request.match.route;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${route.method}${route.path}`,
    identitySource: [authorization],
    routeKey: request.match.route.key,
    rawPath: request.url.pathname,
    rawQueryString: request.url.search.slice(1),
    cookies: [],
    headers: request.headers,
    queryStringParameters: request.queryStringParameters,
    requestContext: request.requestContext,
    pathParameters: request.match.pathParameters,
    stageVariables: {},
  };
}

export function proxyEvent(
  request: ApiRequest,
  body: Buffer,
  authorizerContext: Record<string, unknown> | undefined,
): APIGatewayProxyEventV2 {
  const { queryStringParameters } = request;
  const { pathParameters } = request.match;
  const { headers, cookies } = cookiesApart(request.headers);
  return {
    version: '2.0',
    routeKey: request.match.route.key,
    rawPath: request.url.pathname,
    rawQueryString: request.url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      ...request.requestContext,
      ...(authorizerContext ? { authorizer: { lambda: authorizerContext } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    ...eventBody(body),
  };
}

/**
 * Text as a string, as API Gateway passes it; bytes that are not UTF-8 base64-encoded, as API Gateway does for
 * binary bodies, so a handler that checks a signature over the body (Stripe's) always sees the bytes sent.
 */
function eventBody(body: Buffer): Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'> {
  if (body.length === 0) return { isBase64Encoded: false };
  const text = body.toString('utf8');
  return Buffer.from(text, 'utf8').equals(body)
    ? { body: text, isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}

/** Writes a function's result as the HTTP API does; `overrides` win over the function's own headers. */
export function writeResult(res: ServerResponse, result: unknown, overrides: Readonly<Record<string, string>>): void {
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

/**
 * Payload 2.0 moves the request's cookies out of the headers into `cookies`, one `name=value` per entry (API
 * Gateway drops the Cookie header), so a function reads them where it will find them on AWS.
 */
export function cookiesApart(all: Record<string, string>): { headers: Record<string, string>; cookies: string[] } {
  const { cookie, ...headers } = all;
  const cookies = (cookie ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '');
  return { headers, cookies };
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
