import { parseDocument } from 'yaml';
import { UsageError } from './errors';

/** A report file that cannot be read as front matter + Markdown. The message names the line to fix. */
export class FrontMatterError extends UsageError {}

export interface FrontMatterDocument {
  data: Record<string, unknown>;
  /** The Markdown after the closing `---`, byte for byte: what the editor wrote is what readers get. */
  body: string;
  /** The file line on which the body starts: the API numbers body lines, the editor's editor numbers file lines. */
  bodyLine: number;
}

/**
 * What `submit` sends: report input fields, plus what the front matter says of the report it corrects: its `id`
 * (otherwise the slug finds it) and the `revision` the file was based on (otherwise the current one).
 */
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
  const bodyStart = opening[0].length + closing.index + closing[0].length;
  const body = source.slice(bodyStart);
  const bodyLine = (source.slice(0, bodyStart).match(/\r\n|\r|\n/g) ?? []).length + 1;
  if (data === null || data === undefined) return { data: {}, body, bodyLine };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new FrontMatterError(
      `front matter must be \`key: value\` fields, found ${Array.isArray(data) ? 'a list' : 'a single value'}`,
    );
  }
  return { data: data as Record<string, unknown>, body, bodyLine };
}

/** Separates `id`/`revision` (which report to correct, from which revision) from the report input fields. */
export function toSubmission(document: Pick<FrontMatterDocument, 'data' | 'body'>): Submission {
  const { id, revision, body, ...fields } = document.data;
  if (body !== undefined) {
    throw new FrontMatterError('front matter must not set `body`: the Markdown after the closing `---` is the body');
  }
  if (id !== undefined && (typeof id !== 'string' || id.trim() === ''))
    throw new FrontMatterError('front matter `id` must be the report id as text');
  if (revision !== undefined && (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1)) {
    throw new FrontMatterError(
      'front matter `revision` must be a revision number (1, 2, …), the one you are correcting',
    );
  }
  return {
    ...(typeof id === 'string' ? { id: id.trim() } : {}),
    ...(typeof revision === 'number' ? { revision } : {}),
    input: { ...fields, body: document.body },
  };
}
