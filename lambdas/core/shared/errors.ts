/**
 * What the core refuses, said in domain terms. A closed family: {@link DomainError} is the union of the classes
 * below, and `lambdas/http/error-mapping.ts` holds a status for every `kind`, so a new kind without a status does
 * not compile. The core never picks a status; it does keep each refusal's machine `code`, message and fields,
 * because those are what the API answers with (clients and tests read them), so they stay exactly as they were.
 */
export interface FieldError {
  field: string;
  message: string;
}

abstract class DomainErrorBase extends Error {
  abstract readonly kind: string;

  protected constructor(
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The report, subscriber, editor or edition asked for does not exist. */
export class NotFoundError extends DomainErrorBase {
  readonly kind = 'not-found';

  constructor(message = 'Not found') {
    super('not_found', message);
  }
}

/** The request clashes with what is stored: a slug already held, a change under way, a state that forbids it. */
export class ConflictError extends DomainErrorBase {
  readonly kind = 'conflict';

  constructor(code: string, message: string, fields?: FieldError[]) {
    super(code, message, fields);
  }
}

/** The input breaks the domain's rules; each field error names one problem. */
export class InvalidInputError extends DomainErrorBase {
  readonly kind = 'invalid-input';
  declare readonly fields: FieldError[];

  constructor(fields: FieldError[], message = 'The request has invalid fields') {
    // The code predates this class and clients match on it.
    super('validation_failed', message, fields);
  }
}

/** The caller's change was based on a revision that is no longer the current one. */
export class StaleRevisionError extends DomainErrorBase {
  readonly kind = 'stale-revision';

  constructor(message: string) {
    // The code predates this class and clients match on it.
    super('precondition_failed', message);
  }
}

/** The input is over a size limit; the fields say which part and what the limit is. */
export class TooLargeError extends DomainErrorBase {
  readonly kind = 'too-large';

  constructor(message: string, fields?: FieldError[]) {
    // The code predates this class and clients match on it.
    super('payload_too_large', message, fields);
  }
}

/** Too many attempts in the current window; another attempt is welcome after `retryAfterSeconds`. */
export class RateLimitedError extends DomainErrorBase {
  readonly kind = 'rate-limited';

  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests; try again later',
  ) {
    super('rate_limited', message);
  }
}

export type DomainError =
  NotFoundError | ConflictError | InvalidInputError | StaleRevisionError | TooLargeError | RateLimitedError;

export type DomainErrorKind = DomainError['kind'];

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainErrorBase;
}
