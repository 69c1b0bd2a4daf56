import type { Token } from 'markdown-it';
import { createMarkdownIt } from '../shared/markdown';
import { markerProblems, PAYWALL_MARKER, type MarkerProblem } from './paywall-marker';

export { PAYWALL_MARKER };

/**
 * The preview cut (brief §2): which part of a subscriber report's body the public may read. It runs once, at
 * intake, on the Markdown source, and works on whole source lines so that nothing is rewritten on the way.
 * Position decides, and nothing else: everything after the cut is subscriber-only, footnote definitions and
 * their continuation lines included.
 *
 * Rules, in order:
 * 1. The marker is a line that is exactly {@link PAYWALL_MARKER} once trimmed, outside code blocks and footnote
 *    definitions. The first marker is the cut; every marker line is dropped from the output. Lines that only
 *    resemble it are reported in `markerProblems` (intake refuses the body), never taken as a cut.
 * 2. Without a marker the public part runs to the end of the second prose block. Prose blocks are top-level
 *    paragraphs, block quotes, lists, tables and code blocks; headings, thematic breaks and paragraphs holding only
 *    images are not counted, so a title heading or a lead figure before the text comes along for free.
 * 3. A body with at most two prose blocks and no marker is public as a whole (`rule: 'none'`).
 * 4. A footnote cited in the public part but defined after the cut keeps its number in public, with a definition
 *    that says the source is for subscribers: none of its text crosses the cut.
 *
 * Line endings are kept as written. Where the cut has to add one (the stub definitions, a missing final
 * terminator) it adds CRLF if any kept line ends in CRLF, LF otherwise.
 */
export const WITHHELD_FOOTNOTE_TEXT = 'Source available to subscribers.';

export type CutRule = 'marker' | 'first-two-paragraphs' | 'none';

export interface PreviewCut {
  /** What the public reads: the body before the cut, plus a stub definition per withheld footnote. */
  publicMarkdown: string;
  subscriberMarkdown: string;
  rule: CutRule;
  /** Labels of footnotes cited before the cut whose definitions stand after it. */
  withheldFootnotes: string[];
  /** The stub definitions at the end of publicMarkdown ('' when none). */
  withheldStubs: string;
  /** Footnote definitions that stand before the cut, so the subscriber part can be rendered on its own. */
  publicDefinitions: string;
  markerProblems: MarkerProblem[];
}

export function cutPreview(markdown: string): PreviewCut {
  const { lines, defs, markers, proseEnds, eol } = analyse(markdown);
  const rule: CutRule = markers.length > 0 ? 'marker' : proseEnds.length > 2 ? 'first-two-paragraphs' : 'none';
  const cut = markers[0] ?? (rule === 'first-two-paragraphs' ? (proseEnds[1] ?? lines.length) : lines.length);
  const dropped = new Set(markers);
  const contentOf = (from: number, to: number) =>
    range(from, to)
      .filter((index) => !dropped.has(index))
      .map((index) => joinLine(lines[index]))
      .join('');

  const publicContent = contentOf(0, cut);
  const publicLabels = new Set(defs.filter((def) => def.start < cut).map((def) => def.label));
  const paidLabels = new Set(defs.filter((def) => def.start >= cut).map((def) => def.label));
  const cited = referencedLabels(publicContent, defs.map((def) => def.text).join(eol + eol));
  const withheld = [...cited].filter((label) => paidLabels.has(label) && !publicLabels.has(label));
  const withheldStubs = withheld.length === 0 ? '' : stubDefinitions(publicContent, withheld, eol);
  return {
    publicMarkdown: publicContent + withheldStubs,
    subscriberMarkdown: contentOf(cut, lines.length),
    rule,
    withheldFootnotes: withheld,
    withheldStubs,
    publicDefinitions: defs
      .filter((def) => def.start < cut)
      .map((def) => def.text)
      .join(eol),
    markerProblems: markerProblems(
      lines.map((line) => line.text),
      new Set(markers),
    ),
  };
}

/**
 * Invariant, for every string `b`: `reassemble(cutPreview(b)) === normaliseBody(b)`. The cut loses nothing and
 * duplicates nothing; it only drops the marker lines (and the public stubs of withheld footnotes).
 */
export function reassemble(cut: PreviewCut): string {
  const content = cut.publicMarkdown.slice(0, cut.publicMarkdown.length - cut.withheldStubs.length);
  return content + cut.subscriberMarkdown;
}

/**
 * The body as paid readers read it: every line as written, marker lines removed, and a terminator on the last
 * line (CRLF if any kept line ends in CRLF, else LF). Intake renders the paid full text from it.
 */
export function normaliseBody(markdown: string): string {
  const { lines, markers } = analyse(markdown);
  const dropped = new Set(markers);
  return lines
    .filter((_, index) => !dropped.has(index))
    .map(joinLine)
    .join('');
}

/** One stub definition per withheld label, after a blank line so no open block above can swallow them. */
function stubDefinitions(content: string, labels: readonly string[], eol: string): string {
  const lines = splitLines(content);
  const separated = lines.length === 0 || isBlank(lines[lines.length - 1]);
  return (separated ? '' : eol) + labels.map((label) => `[^${label}]: ${WITHHELD_FOOTNOTE_TEXT}${eol}`).join(eol);
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
