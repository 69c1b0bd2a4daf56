import { isDomainError, type DomainErrorKind, type FieldError } from '../core/shared/errors';
import { HttpError } from './errors';

/** The one place a refusal becomes a status. Exhaustive: a domain error kind without a status does not compile. */
const STATUS_BY_KIND: Readonly<Record<DomainErrorKind, number>> = {
  'invalid-input': 422,
  'not-found': 404,
  conflict: 409,
  'stale-revision': 412,
  'too-large': 413,
  'rate-limited': 429,
};

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[] };
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** The answer for a known refusal (domain or HTTP); undefined for anything else, which is a fault of ours. */
export function errorAnswer(error: unknown): ErrorAnswer | undefined {
  if (isDomainError(error)) {
    return {
      status: STATUS_BY_KIND[error.kind],
      body: errorBody(error),
      // Tells the client when the window ends, so it need not guess or hammer.
      headers: error.kind === 'rate-limited' ? { 'retry-after': String(error.retryAfterSeconds) } : {},
    };
  }
  if (error instanceof HttpError) return { status: error.status, body: errorBody(error), headers: {} };
  return undefined;
}

function errorBody(error: { code: string; message: string; fields?: FieldError[] }): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } };
}
