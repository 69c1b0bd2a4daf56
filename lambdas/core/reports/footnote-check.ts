import type MarkdownIt from 'markdown-it';
import type { StateBlock, StateInline } from 'markdown-it';
import { createMarkdownIt } from '../shared/markdown';

/**
 * Footnotes an editor got wrong. A reference without a definition is not a footnote to markdown-it: it would be
 * published as the literal text `[^2]`, so intake refuses it. A definition nothing cites is dropped from the
 * rendered Sources list, so readers never see it; intake only warns about that, since the text may be kept on
 * purpose. The body is read with the project's one Markdown grammar ({@link createMarkdownIt}), so code spans,
 * code blocks, escapes (`\[^2]`), links and editors' HTML comments are what they are everywhere else: never
 * references. The check runs on the whole body, before any cut: a definition after the paywall marker is still a
 * definition (the cut decides what the public sees of it).
 */
export interface FootnoteAt {
  label: string;
  /** 1-based line of the body as submitted. */
  line: number;
}

export interface FootnoteCheck {
  /** `[^label]` written where no `[^label]:` definition exists, in body order. */
  undefinedReferences: FootnoteAt[];
  /** `[^label]:` definitions that no reference cites, in body order. */
  unusedDefinitions: FootnoteAt[];
}

const UNRESOLVED = 'dispatch_unresolved_footnote';

interface CheckEnv {
  footnotes?: { list?: { label?: string }[] };
  /** Index in the block token stream → line where a block rule was about to start there (see `recordDefinitionLines`). */
  blockStarts: Map<number, number>;
}

const parser = footnoteParser();

export function checkFootnotes(markdown: string): FootnoteCheck {
  const env: CheckEnv = { blockStarts: new Map() };
  const tokens = parse(markdown, env);
  const cited = new Set(
    (env.footnotes?.list ?? []).flatMap((entry) => (entry.label === undefined ? [] : [entry.label])),
  );

  const undefinedReferences: FootnoteAt[] = [];
  const unusedDefinitions: FootnoteAt[] = [];
  let blockLine = 0;
  tokens.forEach((token, index) => {
    if (token.map) blockLine = token.map[0];
    if (token.type === 'footnote_reference_open') {
      const label = String(token.meta?.label ?? '');
      const line = env.blockStarts.get(index) ?? blockLine;
      if (!cited.has(label)) unusedDefinitions.push({ label, line: line + 1 });
    }
    if (token.type !== 'inline') return;
    // Table cells carry no line map: they sit on the line of their row, the last mapped token before them.
    for (const child of token.children ?? []) {
      if (child.type !== UNRESOLVED) continue;
      const { label, linesBefore } = child.meta as { label: string; linesBefore: number };
      undefinedReferences.push({ label, line: blockLine + linesBefore + 1 });
    }
  });
  return { undefinedReferences, unusedDefinitions };
}

function parse(markdown: string, env: CheckEnv) {
  try {
    return parser.parse(markdown, env);
  } finally {
    // Nothing of a body outlives its check: the source indexes are built from its text, maybe subscriber-only.
    sourceIndexes.clear();
  }
}

function footnoteParser(): MarkdownIt {
  const md = createMarkdownIt();
  // footnote_tail would move the definitions to the end of the stream; here they stay where they were written.
  md.core.ruler.disable('footnote_tail');
  md.inline.ruler.after('footnote_ref', UNRESOLVED, unresolvedReference);
  md.block.ruler.before('footnote_def', 'dispatch_definition_lines', recordDefinitionLines);
  return md;
}

/**
 * Runs after the footnote plugin's own reference rule, which takes every `[^label]` that has a definition; a
 * `[^label]` of the same shape that reaches this rule has none. The grammar of the label is the plugin's: no
 * spaces, no line break, not empty.
 */
function unresolvedReference(state: StateInline, silent: boolean): boolean {
  const { src, pos: start, posMax: max } = state;
  if (src.charCodeAt(start) !== 0x5b /* [ */ || src.charCodeAt(start + 1) !== 0x5e /* ^ */) return false;
  const index = indexOf(src);
  const end = index.labelEnds[start + 2] ?? src.length;
  if (end === start + 2 || end >= max || src[end] !== ']') return false;
  if (!silent) {
    const token = state.push(UNRESOLVED, '', 0);
    // The inline source keeps the block's line breaks, so the lines before the reference are its offset.
    token.meta = { label: src.slice(start + 2, end), linesBefore: index.lineBreaksBefore[start] ?? 0 };
    token.content = src.slice(start, end + 1);
  }
  state.pos = end + 1;
  return true;
}

/**
 * The footnote plugin gives its definition tokens no line map. This rule runs just before the plugin's
 * definition rule and changes nothing: it notes the line a block is about to start on, keyed by the position the
 * block's first token will take. When the definition rule then succeeds, its token is at that position.
 */
function recordDefinitionLines(state: StateBlock, startLine: number, _endLine: number, silent: boolean): boolean {
  if (!silent) (state.env as CheckEnv).blockStarts.set(state.tokens.length, startLine);
  return false;
}

/**
 * Per inline source, computed once in one pass each way: for each position, where a label starting there would
 * end (the next `]`, space or line break), and how many line breaks come before it. Scanning from every `[^`
 * instead is quadratic: a 256 KB line of `[^[^[^…` took 85 s, a paragraph of 8,000 cited lines 16 s.
 */
interface SourceIndex {
  labelEnds: Int32Array;
  lineBreaksBefore: Int32Array;
}

/** By source, for the parse under way: inline parsing returns to a paragraph's source after each image's alt. */
const sourceIndexes = new Map<string, SourceIndex>();

function indexOf(src: string): SourceIndex {
  const known = sourceIndexes.get(src);
  if (known) return known;
  const labelEnds = new Int32Array(src.length + 1);
  const lineBreaksBefore = new Int32Array(src.length + 1);
  labelEnds[src.length] = src.length;
  for (let index = src.length - 1; index >= 0; index--) {
    const char = src[index];
    labelEnds[index] = char === ']' || char === ' ' || char === '\n' ? index : (labelEnds[index + 1] ?? src.length);
  }
  for (let index = 0; index < src.length; index++) {
    lineBreaksBefore[index + 1] = (lineBreaksBefore[index] ?? 0) + (src[index] === '\n' ? 1 : 0);
  }
  const index = { labelEnds, lineBreaksBefore };
  sourceIndexes.set(src, index);
  return index;
}
