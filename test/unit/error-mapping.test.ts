import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  StaleRevisionError,
  TooLargeError,
} from '../../lambdas/core/shared/errors';
import { toErrorResponse } from '../../lambdas/http/api';
import { errorAnswer } from '../../lambdas/http/error-mapping';
import { BadRequestError, HttpError } from '../../lambdas/http/errors';

const slugField = [{ field: 'slug', message: 'is already used by another report' }];

describe('mapping refusals to HTTP answers', () => {
  it.each([
    [new NotFoundError('No report has id X'), 404, { code: 'not_found', message: 'No report has id X' }],
    [
      new ConflictError('slug_taken', 'The slug a belongs to another report', slugField),
      409,
      { code: 'slug_taken', message: 'The slug a belongs to another report', fields: slugField },
    ],
    [
      new InvalidInputError(slugField),
      422,
      { code: 'validation_failed', message: 'The request has invalid fields', fields: slugField },
    ],
    [
      new StaleRevisionError('Report X is at revision 2, not 1'),
      412,
      { code: 'precondition_failed', message: 'Report X is at revision 2, not 1' },
    ],
    [
      new TooLargeError('The body is too large', slugField),
      413,
      { code: 'payload_too_large', message: 'The body is too large', fields: slugField },
    ],
    [
      new BadRequestError('invalid_limit', 'limit must be an integer'),
      400,
      { code: 'invalid_limit', message: 'limit must be an integer' },
    ],
    [
      new HttpError(500, 'authorizer_context_missing', 'No context'),
      500,
      { code: 'authorizer_context_missing', message: 'No context' },
    ],
  ])('answers %s with its status, code, message and fields', (error, status, body) => {
    expect(errorAnswer(error)).toEqual({ status, body: { error: body }, headers: {} });
  });

  it('tells a rate-limited caller when to come back', () => {
    const response = toErrorResponse(
      new RateLimitedError(42, 'Too many sign-ups for this address; try again in a minute'),
    );
    expect(response).toEqual({
      statusCode: 429,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '42' },
      body: '{"error":{"code":"rate_limited","message":"Too many sign-ups for this address; try again in a minute"}}',
    });
  });

  it('answers anything else with a 500 that reveals nothing', () => {
    expect(errorAnswer(new Error('secret detail'))).toBeUndefined();
    const response = toErrorResponse(new Error('secret detail'));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
  });
});
