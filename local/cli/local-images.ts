/**
 * Inline Markdown images whose destination is a file next to the report (`![alt](./photo.jpg)`), found without
 * a full Markdown parse: fenced code blocks and inline code spans are skipped (an example of the syntax is not
 * an image), and URLs with a scheme, protocol-relative (`//host/…`), site-absolute (`/…`) or fragment-only
 * destinations are not local files.
 */
export interface LocalImageRef {
  /** Alt text as written between the brackets. */
  readonly alt: string;
  /** The destination as written (without `<…>`), e.g. `./photo.jpg`. */
  readonly destination: string;
  /** The file path it names, relative to the report file: the destination with percent-escapes decoded. */
  readonly path: string;
  /** 1-based line within the Markdown text. */
  readonly line: number;
  /** Offsets of the destination (including any `<…>`) in the Markdown text, for rewriting. */
  readonly start: number;
  readonly end: number;
}

// ![alt](destination "title"): the alt may hold escaped brackets; the destination is `<…>` or has no spaces or
// parentheses; an optional title in double quotes, single quotes or parentheses.
const INLINE_IMAGE =
  /!\[((?:\\.|[^\]\\])*)\]\(([ \t]*)(<[^<>\n]*>|[^\s()<>]+)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)/g;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const NOT_A_FILE = /^(?:[a-z][a-z0-9+.-]*:|\/|#|\?)/i;

export function findLocalImages(markdown: string): LocalImageRef[] {
  const found: LocalImageRef[] = [];
  let offset = 0;
  let fence: string | undefined;
  for (const [index, line] of markdown.split('\n').entries()) {
    const lineStart = offset;
    offset += line.length + 1;
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      // A fence closes with the same character, at least as long as it opened.
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      continue;
    }
    const code = codeSpans(line);
    for (const match of line.matchAll(INLINE_IMAGE)) {
      const [, alt = '', space = '', written = ''] = match;
      const at = match.index;
      if (code.some(([from, to]) => at >= from && at < to)) continue;
      const destination = written.startsWith('<') ? written.slice(1, -1) : written;
      if (destination === '' || NOT_A_FILE.test(destination)) continue;
      const start = lineStart + at + 2 + alt.length + 2 + space.length;
      found.push({
        alt,
        destination,
        path: decodePath(destination),
        line: index + 1,
        start,
        end: start + written.length,
      });
    }
  }
  return found;
}

/** The Markdown with each ref's destination replaced by `urlFor(ref)`; everything else is left byte for byte. */
export function rewriteImages(
  markdown: string,
  refs: readonly LocalImageRef[],
  urlFor: (ref: LocalImageRef) => string,
): string {
  let rewritten = markdown;
  for (const ref of [...refs].sort((a, b) => b.start - a.start)) {
    rewritten = rewritten.slice(0, ref.start) + urlFor(ref) + rewritten.slice(ref.end);
  }
  return rewritten;
}

/** `[from, to)` ranges of the inline code spans of one line (backtick runs of equal length). */
function codeSpans(line: string): [number, number][] {
  const spans: [number, number][] = [];
  const opening = /`+/g;
  let match: RegExpExecArray | null;
  while ((match = opening.exec(line)) !== null) {
    const ticks = match[0];
    const close = line.indexOf(ticks, match.index + ticks.length);
    if (close === -1) continue;
    spans.push([match.index, close + ticks.length]);
    opening.lastIndex = close + ticks.length;
  }
  return spans;
}

function decodePath(destination: string): string {
  try {
    return decodeURI(destination);
  } catch {
    return destination;
  }
}
