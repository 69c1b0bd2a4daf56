/**
 * Every failure the CLI reports becomes exactly one line on stderr. Exit codes: 2 when nothing was sent because
 * the invocation or an input file is wrong, 1 when a request failed or the command could not finish its work.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A problem with arguments or input files, found before any request is made. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FieldError {
  field: string;
  message: string;
}

/** The API answered with a non-2xx status (or with a body this client cannot read). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly fields: readonly FieldError[] = [],
    readonly hint?: string,
  ) {
    super(message);
  }

  /** e.g. `422 validation_failed: title: must not be blank; tier: must be one of ...` */
  toLine(): string {
    const detail =
      this.fields.length > 0 ? this.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : this.message;
    const head = this.code ? `${this.status} ${this.code}` : `${this.status}`;
    return `${head}: ${detail}${this.hint ? ` (${this.hint})` : ''}`;
  }
}

/** The API could not be reached at all: refused, DNS, reset, timeout. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach the Dispatch API at ${baseUrl} (${reason})`);
  }

  toLine(): string {
    const local = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(this.baseUrl);
    const advice = local
      ? 'is the local stack running? Start it with `npm start`, or set DISPATCH_API_URL'
      : 'check DISPATCH_API_URL and your connection';
    return `${this.message}: ${advice}`;
  }
}

/**
 * The command has already printed its own account (an import summary, a dry run's field errors); only the exit code
 * and, optionally, one closing line are left.
 */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

export interface ErrorReport {
  /** Undefined when the command already printed its own explanation. */
  line?: string;
  exitCode: number;
}

export function describeError(error: unknown): ErrorReport {
  if (error instanceof CommandFailed)
    return error.message ? { line: error.message, exitCode: EXIT_FAILED } : { exitCode: EXIT_FAILED };
  if (error instanceof UsageError) return { line: error.message, exitCode: EXIT_USAGE };
  if (error instanceof ApiError || error instanceof NetworkError)
    return { line: error.toLine(), exitCode: EXIT_FAILED };
  // Unexpected: still one line; DISPATCH_DEBUG=1 adds the stack for whoever has to fix it.
  const message = error instanceof Error ? error.message : String(error);
  return { line: `unexpected error: ${firstLine(message)}`, exitCode: EXIT_FAILED };
}

export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]?.trim() ?? '';
}
