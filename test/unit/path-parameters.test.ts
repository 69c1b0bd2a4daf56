import { describe, expect, it, vi } from 'vitest';
import { apiHandler, json, type ApiEvent } from '../../lambdas/http/api';
import { PATH_PARAMETERS, pathParameterNames, routeKey, ROUTES } from '../../lambdas/routes';

function event(key: string, pathParameters: Record<string, string>): ApiEvent {
  return {
    routeKey: key,
    pathParameters,
    headers: {},
    requestContext: { requestId: 'test' },
  } as unknown as ApiEvent;
}

describe('path parameters', () => {
  it('every parameter of every route has a rule', () => {
    const names = ROUTES.flatMap((route) => pathParameterNames(route.path));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(Object.keys(PATH_PARAMETERS)).toContain(name);
  });

  it('refuses a bad parameter with 400 naming it, before the handler runs', async () => {
    const handle = vi.fn(async () => json(200, {}));
    const wrapped = apiHandler(handle);
    const response = await wrapped(event('GET /api/reports/{id}', { id: 'A'.repeat(2_100) }));
    expect(response).toMatchObject({ statusCode: 400 });
    expect(JSON.parse(String((response as { body: string }).body))).toEqual({
      error: {
        code: 'invalid_path_parameter',
        message: 'The path has an invalid parameter',
        fields: [{ field: 'id', message: `must be ${PATH_PARAMETERS.id.description}` }],
      },
    });
    expect(handle).not.toHaveBeenCalled();
  });

  it('lets well-formed parameters through', async () => {
    const handle = vi.fn(async () => json(200, {}));
    const wrapped = apiHandler(handle);
    for (const [key, parameters] of [
      ['DELETE /api/reports/{id}', { id: '01JD8Z4X7RGQ2W3E4R5T6Y7V8J' }],
      ['PUT /api/subscribers/{email}', { email: 'Reader+tag@Example.org' }],
      ['GET /feeds/private/{token}/{file}', { token: 'f.01JD8Z4X7RGQ2W3E4R5T6Y7V8J.0.abc_-', file: 'rss.xml' }],
    ] as const) {
      expect(await wrapped(event(key, parameters))).toMatchObject({ statusCode: 200 });
    }
    expect(handle).toHaveBeenCalledTimes(3);
  });

  it('fails closed for a parameter name no rule covers', async () => {
    const wrapped = apiHandler(async () => json(200, {}));
    expect(await wrapped(event('GET /api/things/{thing}', { thing: 'a' }))).toMatchObject({ statusCode: 400 });
    expect(ROUTES.map(routeKey)).not.toContain('GET /api/things/{thing}');
  });
});
