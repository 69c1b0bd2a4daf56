import { ApiError } from './errors';

/**
 * The API numbers the lines of a report's body; the editor's editor numbers the lines of the file, front matter
 * included. This adds the file's own position to every `line N` the API names about the body, so
 * `body: line 3 cites footnote [^2] …` reads `body: line 3 (report.md:10) cites footnote [^2] …`.
 */
export class BodyLines {
  constructor(
    private readonly file: string,
    /** The file line the body starts on. */
    private readonly bodyLine: number,
  ) {}

  /** The first `line N` of a message about the body, with its file position added. */
  locate(text: string): string {
    return text.replace(
      /\bline (\d+)\b/,
      (named, line: string) => `${named} (${this.file}:${Number(line) + this.bodyLine - 1})`,
    );
  }

  /** The same refusal, with file positions added to its `body` field errors; anything else as it is. */
  locateError(error: unknown): unknown {
    if (!(error instanceof ApiError) || !error.fields.some((field) => field.field === 'body')) return error;
    const fields = error.fields.map((field) =>
      field.field === 'body' ? { ...field, message: this.locate(field.message) } : field,
    );
    return new ApiError(error.status, error.code, error.message, fields, error.hint);
  }
}
