import MarkdownIt from 'markdown-it';
import type { PluginSimple, StateCore, Token } from 'markdown-it';
import footnotePlugin from 'markdown-it-footnote';
import sanitizeHtml from 'sanitize-html';
import { stripXmlIllegal } from './text-safety';

/**
 * Report bodies as safe HTML (brief §2). markdown-it never emits raw HTML here (`html: false`: a `<script>` an
 * editor types is shown as text), so sanitize-html is the second line of defence, and the place where every URL
 * is made absolute: feeds, mail and pages are read far away from the site, where relative URLs break.
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
  const md = new MarkdownIt({ html: false, linkify: true, typographer: true }).use(footnote);
  // Typographer for curly quotes only: (c) → © and friends would change words the leak scan compares.
  md.disable('replacements');
  return md;
}

const renderer = createRenderer();

export function renderMarkdown(markdown: string, options: RenderOptions): string {
  const html = renderer.render(stripXmlIllegal(markdown));
  return sanitizeHtml(html, sanitizeOptions(options));
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

  const defaultImage = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const caption = token?.meta?.figureCaption;
    if (!token || typeof caption !== 'string') {
      return defaultImage ? defaultImage(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
    }
    token.attrSet('alt', self.renderInlineAsText(token.children ?? [], options, env));
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'title');
    return `${self.renderToken(tokens, idx, options)}<figcaption>${md.utils.escapeHtml(caption)}</figcaption>`;
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

function sanitizeOptions({ baseUrl, absoluteFragments }: RenderOptions): sanitizeHtml.IOptions {
  const resolve = (url: string, schemes: readonly string[]): string | undefined => {
    if (url.startsWith('#')) return absoluteFragments ? `${absoluteFragments.replace(/#.*$/, '')}${url}` : url;
    try {
      const absolute = new URL(url, baseUrl);
      return schemes.includes(absolute.protocol) ? absolute.href : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    allowedTags: [
      ...['h2', 'h3', 'h4', 'p', 'br', 'hr', 'blockquote', 'ul', 'ol', 'li', 'pre', 'code', 'em', 'strong', 's'],
      ...['a', 'img', 'figure', 'figcaption', 'sup', 'section', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
    ],
    allowedAttributes: { a: ['href', 'id', 'title'], img: ['src', 'alt'], li: ['id'], ol: ['start'] },
    allowedClasses: {
      section: ['footnotes'],
      ol: ['footnotes-list'],
      li: ['footnote-item'],
      sup: ['footnote-ref'],
      a: ['footnote-backref'],
      code: ['language-*'],
    },
    allowedSchemes: ALLOWED_SCHEMES.map((scheme) => scheme.slice(0, -1)),
    allowedSchemesByTag: { img: IMAGE_SCHEMES.map((scheme) => scheme.slice(0, -1)) },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      // A link whose URL is unsafe or unparsable becomes its bare text (span is not allowed, its text is kept).
      a: (tagName, attribs) => {
        const href = attribs.href === undefined ? undefined : resolve(attribs.href, ALLOWED_SCHEMES);
        if (attribs.href !== undefined && href === undefined) return { tagName: 'span', attribs: {} };
        return { tagName, attribs: href === undefined ? attribs : { ...attribs, href } };
      },
      img: (tagName, attribs) => {
        const { src: rawSrc, ...rest } = attribs;
        const src = rawSrc === undefined ? undefined : resolve(rawSrc, IMAGE_SCHEMES);
        return { tagName, attribs: src === undefined ? rest : { ...rest, src } };
      },
    },
    // An image without a usable source is dropped rather than left as a broken box.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  };
}
