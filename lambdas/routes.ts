/**
 * Every HTTP route of the API, with the function that serves it and who may call it. The CDK stack builds
 * the HTTP API from this list, the local gateway dispatches by it, and the authorizer reads the required
 * role from it — so a route cannot be public in one place and protected in another.
 */
export type Access = 'public' | 'editor' | 'admin';

export type FunctionName =
  'health' | 'editors-api' | 'reports-api' | 'subscribers-api' | 'digests-api' | 'private-feed';

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `{name}` for a path parameter. */
  path: string;
  fn: FunctionName;
  access: Access;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/api/health', fn: 'health', access: 'public' },
  { method: 'POST', path: '/api/editors', fn: 'editors-api', access: 'admin' },
  { method: 'DELETE', path: '/api/editors/{id}', fn: 'editors-api', access: 'admin' },
  { method: 'POST', path: '/api/reports', fn: 'reports-api', access: 'editor' },
  { method: 'POST', path: '/api/reports/preview', fn: 'reports-api', access: 'editor' },
  { method: 'GET', path: '/api/reports', fn: 'reports-api', access: 'editor' },
  { method: 'GET', path: '/api/reports/{id}', fn: 'reports-api', access: 'editor' },
  { method: 'PUT', path: '/api/reports/{id}', fn: 'reports-api', access: 'editor' },
  { method: 'DELETE', path: '/api/reports/{id}', fn: 'reports-api', access: 'editor' },
  { method: 'POST', path: '/api/subscribers', fn: 'subscribers-api', access: 'public' },
  { method: 'GET', path: '/api/subscribers/confirm', fn: 'subscribers-api', access: 'public' },
  { method: 'GET', path: '/api/unsubscribe', fn: 'subscribers-api', access: 'public' },
  { method: 'POST', path: '/api/unsubscribe', fn: 'subscribers-api', access: 'public' },
  { method: 'PUT', path: '/api/subscribers/{email}', fn: 'subscribers-api', access: 'admin' },
  { method: 'GET', path: '/api/subscribers/{email}/feed-url', fn: 'subscribers-api', access: 'admin' },
  { method: 'POST', path: '/api/digests', fn: 'digests-api', access: 'admin' },
  { method: 'GET', path: '/api/digests/preview', fn: 'digests-api', access: 'admin' },
  { method: 'GET', path: '/api/digests/{id}', fn: 'digests-api', access: 'admin' },
  { method: 'GET', path: '/feeds/private/{token}/{file}', fn: 'private-feed', access: 'public' },
];

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

const ACCESS_BY_ROUTE_KEY = new Map(ROUTES.map((route) => [routeKey(route), route.access]));

/** The role a route demands; unknown route keys are treated as admin-only so a new route fails closed. */
export function requiredAccess(key: string): Access {
  return ACCESS_BY_ROUTE_KEY.get(key) ?? 'admin';
}
