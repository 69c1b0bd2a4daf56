/** Named errors; `toErrorResponse` is the one place that maps them to HTTP. */
export interface FieldError {
  field: string;
  message: string;
}

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

export class ValidationError extends HttpError {
  constructor(fields: FieldError[], message = 'The request has invalid fields') {
    super(422, 'validation_failed', message, fields);
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

export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends HttpError {
  constructor(code: string, message: string, fields?: FieldError[]) {
    super(409, code, message, fields);
  }
}

export class PreconditionFailedError extends HttpError {
  constructor(message: string) {
    super(412, 'precondition_failed', message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(message: string, fields?: FieldError[]) {
    super(413, 'payload_too_large', message, fields);
  }
}

/** Too many requests from one client or for one address; `Retry-After` tells when the window ends. */
export class TooManyRequestsError extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests; try again later',
  ) {
    super(429, 'rate_limited', message);
  }
}
