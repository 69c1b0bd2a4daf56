import { PATH_PARAMETERS, routeKey, type RouteDefinition } from '../../lambdas/routes';

export interface CompiledRoute {
  route: RouteDefinition;
  /** `METHOD /path/{param}`, the route key API Gateway puts in the event. */
  key: string;
  pattern: RegExp;
  params: string[];
}

export interface RouteMatch {
  route: CompiledRoute;
  /** Decoded once, as API Gateway passes them. */
  pathParameters: Record<string, string>;
}

/** The HTTP API's route selection over `lambdas/routes.ts`: `{name}` matches one segment, literals win. */
export class RouteTable {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly RouteDefinition[]) {
    this.compiled = routes
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

  match(method: string, path: string): RouteMatch | undefined {
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

  /** Whether any method has a route on `path` (a 405 rather than a 404). */
  hasPath(path: string): boolean {
    return this.compiled.some((compiled) => compiled.pattern.test(path));
  }

  /**
   * What the access log may show for a request to a route: its template (`PUT /api/subscribers/{email}`, never
   * the address), plus the id where the route has a well-formed one; undefined when no route matches.
   */
  loggedPath(method: string, path: string): string | undefined {
    const found = this.compiled.find((candidate) => candidate.route.method === method && candidate.pattern.test(path));
    if (!found) return undefined;
    const id = found.params.includes('id')
      ? safeDecode(found.pattern.exec(path)?.[found.params.indexOf('id') + 1] ?? '')
      : undefined;
    return id !== undefined && PATH_PARAMETERS.id.pattern.test(id) ? `${found.route.path} id=${id}` : found.route.path;
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
