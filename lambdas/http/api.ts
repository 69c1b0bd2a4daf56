import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../adapters/logger';
import type { FieldError } from '../core/shared/errors';
import { PATH_PARAMETERS, pathParameterNames, type PathParameterRule } from '../routes';
import { errorAnswer } from './error-mapping';
import { BadRequestError, HttpError } from './errors';

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: { lambda?: Record<string, unknown> } };
};
export type ApiResult = APIGatewayProxyStructuredResultV2;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return { statusCode: status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function html(status: number, body: string): ApiResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

/** Known refusals as their mapped answer; anything else is logged and answered with a 500 that reveals nothing. */
export function toErrorResponse(error: unknown): ApiResult {
  const answer = errorAnswer(error);
  if (answer) return json(answer.status, answer.body, answer.headers);
  logger.error('Unhandled error', { error: error instanceof Error ? error : String(error) });
  return json(500, {
    error: { code: 'internal_error', message: 'Something went wrong on our side; nothing was changed' },
  });
}

export function header(event: ApiEvent, name: string): string | undefined {
  return event.headers[name.toLowerCase()];
}

export function rawBody(event: ApiEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/**
 * The body exactly as the client sent it, for signature checks over the bytes: API Gateway base64-encodes bodies
 * it does not treat as text and passes text as a string, whose UTF-8 encoding is the bytes sent.
 */
export function rawBodyBytes(event: ApiEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The body as a JSON object, or a 400 naming what is wrong with it. */
export function jsonObjectBody(event: ApiEvent): Record<string, unknown> {
  const body = rawBody(event);
  if (body.trim() === '') throw new BadRequestError('invalid_body', 'The request body must be a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BadRequestError('invalid_json', 'The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('invalid_body', 'The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export interface Caller {
  editorId: string;
  role: 'admin' | 'editor';
  /** The editor's name as the authorizer passed it on, when it did. */
  editorName?: string;
}

/** The editor the authorizer let through; its context is the only source of identity. */
export function caller(event: ApiEvent): Caller {
  const context = event.requestContext.authorizer?.lambda;
  const editorId = context?.editorId;
  const role = context?.role;
  if (typeof editorId !== 'string' || (role !== 'admin' && role !== 'editor')) {
    throw new HttpError(500, 'authorizer_context_missing', 'The route was reached without an authorizer context');
  }
  const name = context?.name;
  return { editorId, role, ...(typeof name === 'string' && name !== '' ? { editorName: name } : {}) };
}

const PATH_RULES: Readonly<Record<string, PathParameterRule | undefined>> = PATH_PARAMETERS;

/**
 * Every `{name}` of the route against its rule in `PATH_PARAMETERS`; a 400 naming each bad one. A name without a
 * rule fails closed (a route added without one is refused, not passed through).
 */
export function checkPathParameters(event: ApiEvent): void {
  const fields: FieldError[] = [];
  for (const name of pathParameterNames(event.routeKey)) {
    const rule = PATH_RULES[name];
    const value = event.pathParameters?.[name] ?? '';
    if (!rule) fields.push({ field: name, message: 'is not an accepted path parameter' });
    // Length first: the pattern never runs over a megabyte of input.
    else if (value.length > rule.maxLength || !rule.pattern.test(value)) {
      fields.push({ field: name, message: `must be ${rule.description}` });
    }
  }
  if (fields.length > 0)
    throw new BadRequestError('invalid_path_parameter', 'The path has an invalid parameter', fields);
}

/**
 * Wraps a route handler: correlation id per request, path parameters checked before the handler (and so before
 * any database call), error mapping in one place. Logs the route and status, never the event (it carries tokens
 * and email addresses).
 */
export function apiHandler(
  handle: (event: ApiEvent) => Promise<ApiResult>,
): (event: ApiEvent) => Promise<APIGatewayProxyResultV2> {
  return async (event) => {
    logger.appendKeys({ correlationId: event.requestContext.requestId, route: event.routeKey });
    try {
      checkPathParameters(event);
      const result = await handle(event);
      logger.info('Request handled', { status: result.statusCode });
      return result;
    } catch (error) {
      const response = toErrorResponse(error);
      if ((response.statusCode ?? 500) >= 500) logger.error('Request failed', { status: response.statusCode });
      else logger.info('Request rejected', { status: response.statusCode });
      return response;
    } finally {
      logger.removeKeys(['correlationId', 'route']);
    }
  };
}
