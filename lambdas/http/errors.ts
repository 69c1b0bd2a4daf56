import type { FieldError } from '../core/shared/errors';

/**
 * Refusals that only make sense at the HTTP edge: a malformed body, header or path, a missing or wrong token.
 * What the domain refuses lives in `lambdas/core/shared/errors.ts`; `error-mapping.ts` answers both.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(code: string, message: string, fields?: FieldError[]) {
    super(400, code, message, fields);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'A valid bearer token is required') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'This token may not call this route') {
    super(403, 'forbidden', message);
  }
}
