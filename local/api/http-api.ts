import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { RATE_LIMITED_BODY, type FunctionName, type RouteDefinition } from '../../lambdas/routes';
import type { Invoke } from '../delivery';
import { readBody, sendJson } from '../http-messages';
import { lambdaContext } from '../lambda-context';
import { ClientRateLimiter } from './client-rate-limiter';
import { apiRequest, authorizerEvent, proxyEvent, writeResult, type ApiRequest } from './lambda-events';
import { RouteTable } from './route-table';

/** API Gateway's own payload limit for HTTP APIs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

type AuthorizerDecision = APIGatewaySimpleAuthorizerWithContextResult<Record<string, unknown>>;

export interface HttpApiOptions {
  routes: readonly RouteDefinition[];
  functions: (name: FunctionName) => Invoke<APIGatewayProxyEventV2>;
  authorizer: Invoke<APIGatewayRequestAuthorizerEventV2>;
  /** Enforce each route's `clientRateLimit` as the WAF rule does on AWS. @default true */
  clientRateLimits?: boolean;
  /** Says which function threw (never the event). */
  log?: (line: string) => void;
}

/**
 * Plays the HTTP API (payload 2.0) behind the edge: route selection over `lambdas/routes.ts`, the per-client
 * rate limits WAF enforces in front of it, the Lambda authorizer with simple responses, and the route's function.
 */
export class HttpApi {
  readonly routes: RouteTable;
  private readonly rateLimiter = new ClientRateLimiter();

  constructor(private readonly options: HttpApiOptions) {
    this.routes = new RouteTable(options.routes);
  }

  /** Answers one request the edge sent to the API; `overrides` are the edge's headers that beat the function's. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    overrides: Readonly<Record<string, string>>,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const match = this.routes.match(method, url.pathname);
    if (!match) {
      const known = this.routes.hasPath(url.pathname);
      sendJson(res, known ? 405 : 404, {
        error: known
          ? { code: 'method_not_allowed', message: `${method} is not allowed on ${url.pathname}` }
          : { code: 'not_found', message: `No route ${method} ${url.pathname}` },
      });
      return;
    }
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
    const request = apiRequest(req, url, match);
    const authorized = await this.authorize(request, res);
    if (!authorized) return;
    const { fn } = match.route.route;
    let result: unknown;
    try {
      result = await this.options.functions(fn)(proxyEvent(request, body, authorized.context), lambdaContext(fn));
    } catch (error) {
      // A handler that throws is a 500 on AWS too; say which, without the event.
      this.options.log?.(`${fn} threw: ${error instanceof Error ? error.message : String(error)}`);
      sendJson(res, 500, { error: { code: 'internal_error', message: 'Internal Server Error' } });
      return;
    }
    writeResult(res, result, overrides);
  }

  /**
   * The Lambda authorizer for non-public routes: the context it grants, or undefined once a 401/403/500 has been
   * answered. Public routes pass with no context.
   */
  private async authorize(
    request: ApiRequest,
    res: ServerResponse,
  ): Promise<{ context: Record<string, unknown> | undefined } | undefined> {
    if (request.match.route.route.access === 'public') return { context: undefined };
    const authorization = request.headers.authorization;
    if (!authorization) {
      sendJson(res, 401, { error: { code: 'unauthorized', message: 'A bearer token is required' } });
      return undefined;
    }
    let decision: AuthorizerDecision;
    try {
      decision = (await this.options.authorizer(
        authorizerEvent(request, authorization),
        lambdaContext('authorizer'),
      )) as AuthorizerDecision;
    } catch (error) {
      // API Gateway's answers: the authorizer's `Unauthorized` is a 401, anything else it throws a 500.
      if (error instanceof Error && error.message === 'Unauthorized') {
        sendJson(res, 401, { error: { code: 'unauthorized', message: 'The bearer token is not valid' } });
      } else {
        sendJson(res, 500, { error: { code: 'authorizer_error', message: 'Internal Server Error' } });
      }
      return undefined;
    }
    if (!decision.isAuthorized) {
      sendJson(res, 403, { error: { code: 'forbidden', message: 'This token may not call this route' } });
      return undefined;
    }
    return { context: decision.context };
  }
}
