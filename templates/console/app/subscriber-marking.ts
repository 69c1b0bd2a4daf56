/**
 * Marks the subscriber-only part inside a feed item or an email the API rendered. Those come as the real renderers
 * write them (byte for byte what readers get), so they carry no sign of the cut; the preview's `subscriberHtml`
 * says what lies after it. Each top-level block of that part (a paragraph, heading, list, quote…) is looked for by
 * its text among the document's blocks and framed, with a label before the first. A block whose text the public
 * part also holds is never marked: it is not what the paywall keeps back. Found in a free reader's document, the
 * frame would show a leak; the API's leak guard is there so it never does.
 */
export const SUBSCRIBER_LABEL = 'Subscribers only from here';

const MARK_STYLES = `
.dispatch-subscriber-only { outline: 2px dashed #6a1b9a; outline-offset: 3px; }
.dispatch-subscriber-label { font: bold 0.8rem system-ui, sans-serif; color: #fff; background: #6a1b9a;
  display: inline-block; padding: 0.15rem 0.5rem; margin: 0.75rem 0 0.25rem; text-transform: uppercase;
  letter-spacing: 0.03em; }
`;

/** Blocks a report body renders to; layout tables (MJML's, `role="presentation"`) hold whole sections and never match. */
const BLOCKS = 'p, h1, h2, h3, h4, h5, h6, ul, ol, blockquote, pre, figure, dl, hr, table:not([role=presentation])';

const normalised = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** Parsed into an inert document: nothing in it loads or runs. */
const parse = (html: string): Document => new DOMParser().parseFromString(html, 'text/html');

function blockTexts(fragment: string): string[] {
  return Array.from(parse(fragment).body.children, (element) => normalised(element.textContent)).filter(
    (text) => text !== '',
  );
}

/** `html` (a whole document) with the subscriber-only blocks framed; unchanged when none of them is in it. */
export function markSubscriberOnly(html: string, parts: { publicHtml: string; subscriberHtml: string }): string {
  const publicTexts = new Set(blockTexts(parts.publicHtml));
  const wanted = new Set(blockTexts(parts.subscriberHtml).filter((text) => !publicTexts.has(text)));
  if (wanted.size === 0) return html;
  const doc = parse(html);
  const marked: Element[] = [];
  // Document order: a block is met before the blocks inside it, so a matched list keeps its items unmarked.
  for (const element of Array.from(doc.body.querySelectorAll(BLOCKS))) {
    if (marked.some((outer) => outer.contains(element))) continue;
    if (wanted.has(normalised(element.textContent))) {
      element.classList.add('dispatch-subscriber-only');
      marked.push(element);
    }
  }
  const first = marked[0];
  if (first === undefined) return html;
  const label = doc.createElement('p');
  label.className = 'dispatch-subscriber-label';
  label.textContent = SUBSCRIBER_LABEL;
  first.before(label);
  const style = doc.createElement('style');
  style.textContent = MARK_STYLES;
  doc.head.append(style);
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}
