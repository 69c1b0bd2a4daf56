import type { Token } from 'markdown-it';
import { createMarkdownIt } from './markdown';

/**
 * The preview cut (brief §2): which part of a subscriber report's body the public may read. It runs once, at
 * intake, on the Markdown source, and works on whole source lines so that nothing is rewritten on the way.
 *
 * Rules, in order:
 * 1. Top-level footnote definitions (`[^label]: …` with their continuation lines) are taken out first. The public
 *    part carries the definitions of the footnotes its own text references; every other definition, including
 *    unreferenced ones, goes with the subscriber part. Each part lists its definitions at its end, after one blank
 *    line, one blank line apart, sorted by label (all-digit labels numerically and first, then by code point;
 *    equal labels keep document order).
 * 2. The marker is a line that is exactly {@link PAYWALL_MARKER} once trimmed, outside code blocks and footnote
 *    definitions. The first marker is the cut; every marker line is dropped from the output.
 * 3. Without a marker the public part runs to the end of the second prose block. Prose blocks are top-level
 *    paragraphs, block quotes, lists, tables and code blocks; headings, thematic breaks and paragraphs holding only
 *    images are not counted, so a title heading or a lead figure before the text comes along for free.
 * 4. A body with at most two prose blocks and no marker is public as a whole: its subscriber part holds nothing
 *    but unreferenced footnote definitions, if any.
 *
 * Line endings are kept as written. Where the cut has to add one (blank separator lines, a missing final
 * terminator) it adds CRLF if any kept line ends in CRLF, LF otherwise.
 */
export const PAYWALL_MARKER = '<!-- paywall -->';

export interface PreviewCut {
  publicMarkdown: string;
  subscriberMarkdown: string;
  usedMarker: boolean;
}

export function cutPreview(markdown: string): PreviewCut {
  const body = analyse(markdown);
  const { lines, defs, markers, proseEnds, eol } = body;
  const cut = markers[0] ?? (proseEnds.length > 2 ? (proseEnds[1] ?? lines.length) : lines.length);
  const dropped = new Set([...markers, ...defs.flatMap((def) => range(def.start, def.end))]);
  const contentOf = (from: number, to: number) =>
    range(from, to)
      .filter((index) => !dropped.has(index))
      .map((index) => joinLine(lines[index]))
      .join('');

  const publicContent = contentOf(0, cut);
  const subscriberContent = contentOf(cut, lines.length);
  const publicLabels = referencedLabels(publicContent, defs.map((def) => def.text).join(eol + eol));
  const publicDefs = defs.filter((def) => publicLabels.has(def.label));
  const subscriberDefs = defs.filter((def) => !publicLabels.has(def.label));
  return {
    publicMarkdown: assemble(publicContent, publicDefs, eol),
    subscriberMarkdown: assemble(subscriberContent, subscriberDefs, eol),
    usedMarker: markers.length > 0,
  };
}

/**
 * Invariant, for every string `b`: `reassemble(cutPreview(b)) === normaliseBody(b)`. The cut loses nothing and
 * duplicates nothing; it only drops the marker lines and gathers the footnote definitions at the end.
 * Expects the output of {@link cutPreview}: it finds each part's definitions by parsing the part again.
 */
export function reassemble(cut: PreviewCut): string {
  const parts = [splitPart(cut.publicMarkdown), splitPart(cut.subscriberMarkdown)];
  const eol = `${cut.publicMarkdown}${cut.subscriberMarkdown}`.includes('\r\n') ? '\r\n' : '\n';
  return normalForm(
    parts.map((part) => part.content).join(''),
    parts.flatMap((part) => part.defs),
    eol,
  );
}

/**
 * The body as the cut sees it: every line keeps its text and terminator, except that
 * - marker lines (rule 2) are removed,
 * - a last line without a terminator gets one (CRLF if any kept line ends in CRLF, else LF),
 * - top-level footnote definitions (their lines up to the last non-blank one) are moved to the end, in the order
 *   and layout of rule 1; blank lines that followed a definition stay where they were, except that blank lines
 *   at the very end of the content become the single separator line before the definitions.
 * It is idempotent, and renders like the body would with its marker lines deleted: intake renders the paid full
 * text from it.
 */
export function normaliseBody(markdown: string): string {
  const { lines, defs, markers, eol } = analyse(markdown);
  const dropped = new Set([...markers, ...defs.flatMap((def) => range(def.start, def.end))]);
  const content = lines.filter((_, index) => !dropped.has(index));
  return normalForm(content.map(joinLine).join(''), defs, eol);
}

interface Line {
  text: string;
  eol: string;
}

interface Definition {
  label: string;
  /** Line range [start, end) in the analysed text, trailing blank lines excluded. */
  start: number;
  end: number;
  /** The definition's lines, each with its terminator. */
  text: string;
}

interface Analysis {
  lines: Line[];
  defs: Definition[];
  /** Indexes of marker lines, in order. */
  markers: number[];
  /** End line (exclusive) of each top-level prose block, in order. */
  proseEnds: number[];
  eol: string;
}

// footnote_tail would pull the definitions out of the token stream; the cut needs them where they stand.
const parser = createMarkdownIt();
parser.core.ruler.disable('footnote_tail');

const DEFINITION_START = /^\s*\[\^[^\]\s]+\]:/;
const PROSE_BLOCKS = new Set([
  'paragraph_open',
  'blockquote_open',
  'bullet_list_open',
  'ordered_list_open',
  'table_open',
  'fence',
  'code_block',
]);

function analyse(markdown: string): Analysis {
  const lines = splitLines(markdown);
  const tokens = parser.parse(markdown, {});
  const code = tokens.filter((token) => token.type === 'fence' || token.type === 'code_block').map(mapOf);
  const defs: Definition[] = [];
  const proseEnds: number[] = [];
  let previousEnd = 0;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token || token.level !== 0 || token.nesting === -1) continue;
    if (token.type === 'footnote_reference_open') {
      const found = tokens.findIndex((t, j) => j > i && t.type === 'footnote_reference_close' && t.level === 0);
      const close = found === -1 ? tokens.length : found;
      const def = definitionAt(lines, previousEnd, tokens.slice(i + 1, close), String(token.meta?.label ?? ''));
      defs.push(def);
      previousEnd = def.end;
      i = close;
      continue;
    }
    if (!token.map) continue;
    previousEnd = token.map[1];
    if (PROSE_BLOCKS.has(token.type) && !isImageOnlyParagraph(token, tokens[i + 1])) proseEnds.push(token.map[1]);
  }

  const inside = (index: number, ranges: readonly (readonly [number, number])[]) =>
    ranges.some(([start, end]) => index >= start && index < end);
  const defRanges = defs.map((def): [number, number] => [def.start, def.end]);
  const markers = range(0, lines.length).filter(
    (index) => lines[index]?.text.trim() === PAYWALL_MARKER && !inside(index, code) && !inside(index, defRanges),
  );

  const kept = lines.filter((_, index) => !markers.includes(index));
  const eol = kept.some((line) => line.eol === '\r\n') ? '\r\n' : '\n';
  const last = lines[lines.length - 1];
  if (last && last.eol === '') last.eol = eol;
  for (const def of defs)
    def.text = range(def.start, def.end)
      .map((index) => joinLine(lines[index]))
      .join('');
  return { lines, defs, markers, proseEnds, eol };
}

/** markdown-it gives definitions no line map: the start is the `[^label]:` line, the end the last child's end. */
function definitionAt(
  lines: readonly Line[],
  searchFrom: number,
  children: readonly Token[],
  label: string,
): Definition {
  let start = searchFrom;
  while (start < lines.length - 1 && !DEFINITION_START.test(lines[start]?.text ?? '')) start++;
  let end = Math.max(start + 1, ...children.map((child) => child.map?.[1] ?? 0));
  while (end > start + 1 && isBlank(lines[end - 1])) end--;
  return { label, start, end, text: '' };
}

function isImageOnlyParagraph(open: Token, inline: Token | undefined): boolean {
  if (open.type !== 'paragraph_open' || inline?.type !== 'inline') return false;
  const children = inline.children ?? [];
  const isBlank = (child: Token) =>
    child.type === 'softbreak' || (child.type === 'text' && child.content.trim() === '');
  return (
    children.some((child) => child.type === 'image') &&
    children.every((child) => child.type === 'image' || isBlank(child))
  );
}

/** Labels of the footnotes a piece of content references, resolved against all definitions of the body. */
function referencedLabels(content: string, definitions: string): Set<string> {
  const labels = new Set<string>();
  let depth = 0;
  for (const token of parser.parse(`${content}\n\n${definitions}`, {})) {
    if (token.type === 'footnote_reference_open') depth++;
    if (token.type === 'footnote_reference_close') depth--;
    if (depth > 0 || token.type !== 'inline') continue;
    for (const child of token.children ?? []) {
      const label: unknown = child.meta?.label;
      if (child.type === 'footnote_ref' && typeof label === 'string') labels.add(label);
    }
  }
  return labels;
}

/** A part of {@link cutPreview}'s output, taken apart again: the definitions are the trailing ones. */
function splitPart(part: string): { content: string; defs: Definition[] } {
  const { lines, defs } = analyse(part);
  const first = defs[0];
  if (!first) return { content: part, defs: [] };
  // The line before the first definition is the blank separator assemble() added after non-empty content.
  const contentEnd = Math.max(first.start - 1, 0);
  return { content: lines.slice(0, contentEnd).map(joinLine).join(''), defs };
}

/** As {@link assemble}, but trailing blank lines before the definitions collapse, so the form is idempotent. */
function normalForm(content: string, defs: readonly Definition[], eol: string): string {
  if (defs.length === 0) return content;
  const lines = splitLines(content);
  while (lines.length > 0 && isBlank(lines[lines.length - 1])) lines.pop();
  return assemble(lines.map(joinLine).join(''), defs, eol);
}

function assemble(content: string, defs: readonly Definition[], eol: string): string {
  if (defs.length === 0) return content;
  const sorted = [...defs].sort((a, b) => compareLabels(a.label, b.label));
  return content + (content === '' ? '' : eol) + sorted.map((def) => def.text).join(eol);
}

function compareLabels(a: string, b: string): number {
  const numeric = /^\d+$/;
  const [aNumeric, bNumeric] = [numeric.test(a), numeric.test(b)];
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (aNumeric) {
    const [x, y] = [a.replace(/^0+(?=\d)/, ''), b.replace(/^0+(?=\d)/, '')];
    if (x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Lines as markdown-it counts them: CRLF, CR and LF each end one; a final terminator opens no new line. */
function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const terminator = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = terminator.exec(text); match; match = terminator.exec(text)) {
    lines.push({ text: text.slice(start, match.index), eol: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

/** Blank as markdown-it sees it: spaces and tabs only (a no-break space is text). */
function isBlank(line: Line | undefined): boolean {
  return line !== undefined && /^[ \t]*$/.test(line.text);
}

function joinLine(line: Line | undefined): string {
  return line ? line.text + line.eol : '';
}

function mapOf(token: Token): [number, number] {
  return token.map ? [token.map[0], token.map[1]] : [0, 0];
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(to - from, 0) }, (_, offset) => from + offset);
}
