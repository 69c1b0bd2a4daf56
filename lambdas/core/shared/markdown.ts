import MarkdownIt from 'markdown-it';
import type { PluginSimple, StateCore, Token } from 'markdown-it';
import footnotePlugin from 'markdown-it-footnote';
import { stripXmlIllegal } from './text-safety';

/**
 * Report bodies as safe HTML (brief §2). markdown-it never emits raw HTML here (`html: false`: a `<script>` an
 * editor types is shown as text) and every tag comes from a renderer rule; the output policy below is where every
 * URL is made absolute: feeds, mail and pages are read far away from the site, where relative URLs break.
 */
export interface RenderOptions {
  /** Relative hrefs and srcs resolve against this, usually the report page URL. */
  baseUrl: string;
  /**
   * Prefix for fragment-only links (footnotes, back-links), e.g. the report page URL, so that `#fn1` becomes
   * `https://site/reports/slug/#fn1`. Feeds need it; the report page does not.
   */
  absoluteFragments?: string;
}

export const SOURCES_HEADING = 'Sources';

// @types/markdown-it-footnote is written against markdown-it's CommonJS typings; the plugin is the same function.
const footnote = footnotePlugin as unknown as PluginSimple;

/**
 * The one Markdown grammar of the project. The preview cut parses with it too, so the cut and the rendering can
 * never disagree about where a paragraph or a footnote definition ends.
 */
export function createMarkdownIt(): MarkdownIt {
  const md = new MarkdownIt({ html: false, xhtmlOut: true, linkify: true, typographer: true }).use(footnote);
  // Typographer for curly quotes only: (c) → © and friends would change words the leak scan compares.
  md.disable('replacements');
  hideHtmlComments(md);
  return md;
}

/**
 * HTML comments are notes to editors and never reach readers, not even as text. With `html: false` markdown-it
 * would print them escaped, so they get rules of their own: a block of lines that opens with `<!--` and closes
 * with `-->` at a line end, and an inline `<!-- … -->` inside a paragraph. An unclosed `<!--` stays text, so it
 * can never swallow the rest of a report. Other raw HTML is still shown as text.
 */
function hideHtmlComments(md: MarkdownIt): void {
  md.block.ruler.before(
    'paragraph',
    'dispatch_comment_block',
    (state, startLine, endLine, silent) => {
      const lineText = (line: number) => state.src.slice(state.bMarks[line] ?? 0, state.eMarks[line] ?? 0);
      if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false;
      const first = lineText(startLine).trimStart();
      if (!first.startsWith('<!--')) return false;
      // The first line at or after the opener that holds `-->`, found through a per-document index: scanning
      // forward from every `<!--` line would make a body of unclosed openers quadratic.
      let line = closingLines(state.src, state.bMarks, state.eMarks, state.lineMax).find((l) => l >= startLine);
      if (line === startLine && !first.slice(4).includes('-->')) {
        line = closingLines(state.src, state.bMarks, state.eMarks, state.lineMax).find((l) => l > startLine);
      }
      if (line === undefined || line >= endLine) return false;
      const text = line === startLine ? first.slice(4) : lineText(line);
      if (text.slice(text.indexOf('-->') + 3).trim() !== '') return false;
      if (silent) return true;
      const token = state.push('dispatch_comment', '', 0);
      token.map = [startLine, line + 1];
      state.line = line + 1;
      return true;
    },
    { alt: ['paragraph', 'reference', 'blockquote'] },
  );
  md.inline.ruler.before('html_inline', 'dispatch_comment_inline', (state, silent) => {
    if (!state.src.startsWith('<!--', state.pos)) return false;
    // No `-->` after this point: every later opener is text too, without searching again.
    if (lastClose(state.src) < state.pos + 4) return false;
    const close = state.src.indexOf('-->', state.pos + 4);
    if (close === -1) return false;
    if (!silent) state.push('dispatch_comment', '', 0);
    state.pos = close + 3;
    return true;
  });
  md.renderer.rules.dispatch_comment = () => '';
  // Titles of links and images (an image's title becomes its caption) are attribute text, out of reach of the
  // inline rule: comments are taken out of them here.
  md.core.ruler.push('dispatch_comment_titles', (state) => {
    const visit = (tokens: readonly Token[]) => {
      for (const token of tokens) {
        const title = token.attrGet('title');
        if (title !== null && title.includes('<!--')) {
          const cleaned = title.replace(/<!--[\s\S]*?-->/g, '').trim();
          if (cleaned === '') token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'title');
          else token.attrSet('title', cleaned);
        }
        if (token.children) visit(token.children);
      }
    };
    visit(state.tokens);
  });
}

let closingIndex: { src: string; lines: number[] } | undefined;
let lastCloseIndex: { src: string; at: number } | undefined;

/** Where the last `-->` of an inline run starts (-1 if none), computed once per run. */
function lastClose(src: string): number {
  if (lastCloseIndex?.src !== src) lastCloseIndex = { src, at: src.lastIndexOf('-->') };
  return lastCloseIndex.at;
}

/** Lines (ascending) of a document that hold `-->`, computed once per document. */
function closingLines(src: string, begins: readonly number[], ends: readonly number[], lineMax: number): number[] {
  if (closingIndex?.src !== src) {
    const lines: number[] = [];
    for (let line = 0; line < lineMax; line++) {
      if (src.slice(begins[line] ?? 0, ends[line] ?? 0).includes('-->')) lines.push(line);
    }
    closingIndex = { src, lines };
  }
  return closingIndex.lines;
}

const renderer = createRenderer();

export function renderMarkdown(markdown: string, options: RenderOptions): string {
  const env: RenderEnv = { resolve: urlResolver(options), linkDropped: false };
  const html = renderer.render(stripXmlIllegal(markdown), env);
  if (!options.absoluteFragments) return html;
  // Footnote links are written by the plugin as `href="#fn1"`. Every quote in text and attributes is escaped by
  // markdown-it, so this pattern can only meet a real attribute.
  const page = options.absoluteFragments.replace(/#.*$/, '');
  return html.replaceAll(' href="#', ` href="${renderer.utils.escapeHtml(page)}#`);
}

/** Images whose alt text is empty or missing; intake rejects the body when this is not 0. */
export function findImagesWithoutAlt(markdown: string): number {
  // The alt text exactly as the renderer will write it, so `![`code`](x)` counts as missing too.
  const altOf = (image: Token) => renderer.renderer.renderInlineAsText(image.children ?? [], renderer.options, {});
  let missing = 0;
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'image' && altOf(token).trim() === '') missing += 1;
      if (token.children) visit(token.children);
    }
  };
  visit(renderer.parse(stripXmlIllegal(markdown), {}));
  return missing;
}

function createRenderer(): MarkdownIt {
  const md = createMarkdownIt();
  md.core.ruler.push('dispatch_headings', clampHeadings);
  md.core.ruler.push('dispatch_figures', markFigures);
  installOutputPolicy(md);

  md.renderer.rules.image = (tokens, idx, options, env: RenderEnv, self) => {
    const token = tokens[idx];
    const src = token?.attrGet('src');
    const resolved = src === null || src === undefined ? undefined : env.resolve(src, IMAGE_SCHEMES);
    // An image without a usable source is dropped rather than left as a broken box.
    if (!token || resolved === undefined || resolved.startsWith('#')) return '';
    // Only alt and src survive: a title becomes the caption of a figure or is dropped.
    token.attrs = [
      ['alt', self.renderInlineAsText(token.children ?? [], options, env)],
      ['src', resolved],
    ];
    const image = self.renderToken(tokens, idx, options);
    const caption = token.meta?.figureCaption;
    return typeof caption === 'string' ? `${image}<figcaption>${md.utils.escapeHtml(caption)}</figcaption>` : image;
  };
  md.renderer.rules.footnote_block_open = () =>
    `<section class="footnotes">\n<h2>${SOURCES_HEADING}</h2>\n<ol class="footnotes-list">\n`;
  return md;
}

/**
 * The page title is the only h1, and feeds and mail have room for three levels below it. A body that uses h1
 * for its sections is shifted down one level as a whole, so its hierarchy survives; anything deeper than h4 is
 * flattened to h4.
 */
function clampHeadings(state: StateCore): void {
  const shift = state.tokens.some((token) => token.type === 'heading_open' && token.tag === 'h1') ? 1 : 0;
  for (const token of state.tokens) {
    if (token.type !== 'heading_open' && token.type !== 'heading_close') continue;
    const level = Number(token.tag.slice(1)) + shift;
    token.tag = `h${Math.min(Math.max(level, 2), 4)}`;
  }
}

/** Caption convention: an image alone in its paragraph, with a title (`![alt](url "Caption")`), is a figure. */
function markFigures(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [open, inline, close] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (open?.type !== 'paragraph_open' || inline?.type !== 'inline' || close?.type !== 'paragraph_close') continue;
    const image = inline.children?.length === 1 ? inline.children[0] : undefined;
    const caption = image?.type === 'image' ? image.attrGet('title')?.trim() : undefined;
    if (!image || !caption) continue;
    image.meta = { ...image.meta, figureCaption: caption };
    open.tag = 'figure';
    close.tag = 'figure';
  }
}

const ALLOWED_SCHEMES = ['https:', 'http:', 'mailto:'];
const IMAGE_SCHEMES = ['https:', 'http:'];

interface RenderEnv {
  resolve: (url: string, schemes: readonly string[]) => string | undefined;
  /** Set while inside a link whose URL was refused: its text is kept, the `<a>` is not. */
  linkDropped: boolean;
}

/** Absolute URLs with an allowed scheme, or nothing: relative URLs break in feeds and mail, read far away. */
function urlResolver({ baseUrl }: RenderOptions): RenderEnv['resolve'] {
  return (url, schemes) => {
    if (url.startsWith('#')) return url;
    try {
      const absolute = new URL(url, baseUrl);
      return schemes.includes(absolute.protocol) ? absolute.href : undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * The output policy, enforced on tokens rather than by re-parsing HTML: with `html: false` every tag comes from a
 * markdown-it renderer rule, so what remains to police is attributes — URLs (absolute, allowed schemes only) and
 * the inline `style` markdown-it puts on aligned table cells.
 */
function installOutputPolicy(md: MarkdownIt): void {
  md.core.ruler.push('dispatch_no_styles', (state) => {
    for (const token of state.tokens) {
      if (token.attrs) token.attrs = token.attrs.filter(([name]) => name !== 'style');
    }
  });
  const renderDefault: NonNullable<MarkdownIt['renderer']['rules']['link_open']> = (tokens, idx, options, _env, self) =>
    self.renderToken(tokens, idx, options);
  md.renderer.rules.link_open = (tokens, idx, options, env: RenderEnv, self) => {
    const token = tokens[idx];
    const href = token?.attrGet('href');
    const resolved = href === null || href === undefined ? undefined : env.resolve(href, ALLOWED_SCHEMES);
    if (!token || resolved === undefined) {
      env.linkDropped = true;
      return '';
    }
    token.attrSet('href', resolved);
    return renderDefault(tokens, idx, options, env, self);
  };
  md.renderer.rules.link_close = (tokens, idx, options, env: RenderEnv, self) => {
    if (env.linkDropped) {
      env.linkDropped = false;
      return '';
    }
    return renderDefault(tokens, idx, options, env, self);
  };
}
