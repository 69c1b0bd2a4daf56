import { parseDocument } from 'yaml';
import { UsageError } from './errors';

/** A report file that cannot be read as front matter + Markdown. The message names the line to fix. */
export class FrontMatterError extends UsageError {}

export interface FrontMatterDocument {
  data: Record<string, unknown>;
  /** The Markdown after the closing `---`, byte for byte: what the editor wrote is what readers get. */
  body: string;
}

/** What `submit` sends: report input fields, plus the identity of the report being corrected, if any. */
export interface Submission {
  id?: string;
  revision?: number;
  input: Record<string, unknown>;
}

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /^---[ \t]*(?:\r?\n|$)/m;
const SHAPE_HINT = 'a report starts with a `---` line, YAML fields (title, summary, tier, series, ...), then `---`';

export function splitFrontMatter(source: string): FrontMatterDocument {
  const opening = OPENING.exec(source);
  if (!opening) throw new FrontMatterError(`no front matter: ${SHAPE_HINT}`);
  const rest = source.slice(opening[0].length);
  const closing = CLOSING.exec(rest);
  if (!closing) throw new FrontMatterError('front matter opened on line 1 is never closed: add a `---` line after it');

  const yamlText = rest.slice(0, closing.index);
  // The YAML starts on line 2 of the file; yaml reports lines within its own text.
  const document = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: true });
  const problem = document.errors[0];
  if (problem) {
    const line = problem.linePos?.[0].line;
    const what = problem.message.split(/ at line \d+, column \d+|\n/, 1)[0]?.trim() ?? 'invalid YAML';
    throw new FrontMatterError(`front matter${line === undefined ? '' : ` line ${line + 1}`}: ${what}`);
  }
  const data: unknown = document.toJS();
  if (data === null || data === undefined) return { data: {}, body: rest.slice(closing.index + closing[0].length) };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new FrontMatterError(
      `front matter must be \`key: value\` fields, found ${Array.isArray(data) ? 'a list' : 'a single value'}`,
    );
  }
  return { data: data as Record<string, unknown>, body: rest.slice(closing.index + closing[0].length) };
}

/** Separates `id`/`revision` (which report to correct) from the fields of the report input schema. */
export function toSubmission(document: FrontMatterDocument): Submission {
  const { id, revision, body, ...fields } = document.data;
  if (body !== undefined) {
    throw new FrontMatterError('front matter must not set `body`: the Markdown after the closing `---` is the body');
  }
  const input = { ...fields, body: document.body };
  if (id === undefined) {
    if (revision !== undefined)
      throw new FrontMatterError('front matter sets `revision` without `id`: both identify the report to correct');
    return { input };
  }
  if (typeof id !== 'string' || id.trim() === '')
    throw new FrontMatterError('front matter `id` must be the report id as text');
  // Without the revision being corrected, an update could silently overwrite a colleague's newer correction.
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) {
    throw new FrontMatterError(
      'front matter has `id` but no valid `revision`: add `revision: N`, the revision you are correcting',
    );
  }
  return { id: id.trim(), revision, input };
}
