import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DispatchFunctionName } from '../../lambdas/app-model';
import type { Invocation } from './bundle-process';
import type { TemplateAuthorizer, TemplateRoute } from './template-triggers';
import { authorizerEvent, routeEvent, type ApiRequest } from './trigger-events';

/**
 * The HTTP API as the template defines it: route selection over the synthesized route keys, the Lambda authorizer
 * (payload 2.0, simple responses) before every `CUSTOM` route, then the route's function; its result is turned into
 * the HTTP answer the way API Gateway does. Requests are described, not sent over a socket.
 */

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The function that answered; undefined when API Gateway answered itself (404, 401, 403…). */
  readonly fn: DispatchFunctionName | undefined;
  /** Why API Gateway answered 500 itself: the invocation that failed (not part of the HTTP answer). */
  readonly cause?: string;
}

export interface ApiCall {
  readonly token?: string;
  readonly json?: unknown;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type InvokeFunction = (fn: DispatchFunctionName, event: unknown) => Promise<Invocation>;

interface CompiledRoute {
  readonly route: TemplateRoute;
  readonly method: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

const gatewayAnswer = (status: number, message: string): ApiAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
  fn: undefined,
});

export class TemplateApi {
  private readonly routes: CompiledRoute[];

  constructor(
    routes: readonly TemplateRoute[],
    private readonly authorizer: TemplateAuthorizer | undefined,
    private readonly invoke: InvokeFunction,
  ) {
    this.routes = routes
      .map((route) => {
        const [method, path] = route.routeKey.split(' ');
        if (method === undefined || path === undefined || path.includes('+}')) {
          throw new Error(`Route key ${route.routeKey} is not one the verifier can select`);
        }
        const params: string[] = [];
        const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
          params.push(name);
          return '([^/]+)';
        });
        return { route, method, pattern: new RegExp(`^${source}$`), params };
      })
      // API Gateway prefers the most specific route: literal segments beat parameters.
      .sort((a, b) => a.params.length - b.params.length);
  }

  /** `target` is a path with an optional query, e.g. `/api/digests/preview?tier=free`. */
  async request(method: string, target: string, call: ApiCall = {}): Promise<ApiAnswer> {
    const url = new URL(target, 'https://verify.invalid');
    const selected = this.select(method, url.pathname);
    if (selected === undefined) return gatewayAnswer(404, 'Not Found');
    const headers: Record<string, string> = { 'user-agent': 'dispatch-verify-bundles' };
    for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = value;
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    const request: ApiRequest = {
      method,
      routeKey: selected.route.routeKey,
      path: url.pathname,
      query: url.searchParams,
      headers,
      pathParameters: selected.pathParameters,
      body: call.json !== undefined ? JSON.stringify(call.json) : call.body,
    };

    let authorizerContext: Record<string, unknown> | undefined;
    if (selected.route.authorized) {
      const decision = await this.authorize(request);
      if ('status' in decision) return decision;
      authorizerContext = decision.context;
    }
    const invocation = await this.invoke(selected.route.fn, routeEvent(request, authorizerContext));
    // An integration whose function throws is a 500 from API Gateway.
    if (!invocation.ok) {
      const cause = `${selected.route.fn} failed: ${invocation.error.name}: ${invocation.error.message}`;
      return { ...gatewayAnswer(500, 'Internal Server Error'), fn: selected.route.fn, cause };
    }
    return { ...httpAnswer(invocation.value), fn: selected.route.fn };
  }

  /** The authorizer's REQUEST event for a request, for calling the authorizer directly. */
  authorizerRequest(method: string, target: string, token: string): ReturnType<typeof authorizerEvent> {
    if (this.authorizer === undefined) throw new Error('The templates define no Lambda authorizer');
    const url = new URL(target, 'https://verify.invalid');
    const selected = this.select(method, url.pathname);
    if (selected === undefined) throw new Error(`No route for ${method} ${url.pathname} in the templates`);
    const headers = { [this.authorizer.identityHeader]: `Bearer ${token}` };
    return authorizerEvent(
      {
        method,
        routeKey: selected.route.routeKey,
        path: url.pathname,
        query: url.searchParams,
        headers,
        pathParameters: selected.pathParameters,
        body: undefined,
      },
      `Bearer ${token}`,
    );
  }

  private select(
    method: string,
    path: string,
  ): { route: TemplateRoute; pathParameters: Record<string, string> } | undefined {
    for (const compiled of this.routes) {
      if (compiled.method !== method) continue;
      const found = compiled.pattern.exec(path);
      if (!found) continue;
      const pathParameters = Object.fromEntries(
        compiled.params.map((name, index) => [name, decodeURIComponent(found[index + 1] ?? '')]),
      );
      return { route: compiled.route, pathParameters };
    }
    return undefined;
  }

  /** API Gateway's answers: a missing identity is a 401 without a call; `Unauthorized` 401; a refusal 403. */
  private async authorize(request: ApiRequest): Promise<ApiAnswer | { context: Record<string, unknown> }> {
    const { authorizer } = this;
    if (authorizer === undefined) throw new Error(`${request.routeKey} is CUSTOM but the templates hold no authorizer`);
    const identity = request.headers[authorizer.identityHeader];
    if (identity === undefined) return gatewayAnswer(401, 'Unauthorized');
    const invocation = await this.invoke(authorizer.fn, authorizerEvent(request, identity));
    if (!invocation.ok) {
      if (invocation.error.message === 'Unauthorized') return gatewayAnswer(401, 'Unauthorized');
      const cause = `the authorizer failed: ${invocation.error.name}: ${invocation.error.message}`;
      return { ...gatewayAnswer(500, 'Internal Server Error'), cause };
    }
    const decision = invocation.value as { isAuthorized?: unknown; context?: Record<string, unknown> };
    if (decision.isAuthorized !== true) return gatewayAnswer(403, 'Forbidden');
    return { context: decision.context ?? {} };
  }
}

/** A structured result as API Gateway writes it; a bare value is a 200 JSON body (payload 2.0). */
function httpAnswer(value: unknown): Omit<ApiAnswer, 'fn'> {
  if (value !== null && typeof value === 'object' && 'statusCode' in value) {
    const result = value as APIGatewayProxyStructuredResultV2;
    const body = result.body ?? '';
    return {
      status: result.statusCode ?? 200,
      headers: {
        ...Object.fromEntries(
          Object.entries(result.headers ?? {}).map(([name, text]) => [name.toLowerCase(), String(text)]),
        ),
        // Payload 2.0 `cookies` become Set-Cookie headers; one line each, joined here as a list.
        ...(result.cookies?.length ? { 'set-cookie': result.cookies.join('\n') } : {}),
      },
      body: result.isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  };
}
