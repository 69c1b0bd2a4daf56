import { FeedRenderError } from './items';

/**
 * XML escaping for the RSS and Atom documents. Kept apart from the one HTML escaper (shared/escape-html.ts) on
 * purpose: these strings land in XML text and attributes, where `&apos;` is the XML entity, and the published
 * feeds (and the ETags readers cache them by) must stay byte for byte what they were.
 */
const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

/** A CDATA section that stays one whatever the text holds: each `]]>` is split across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * Stand-ins for free text while feed builds the document, replaced in one pass afterwards by the text escaped
 * for where it landed: inside feed's CDATA wrapper (replaced whole by our own CDATA), or in text or an
 * attribute (XML-escaped). An element slot replaces the whole self-closing element whose attribute holds it.
 *
 * Tokens are delimited by U+0001 and U+0002, which XML forbids and which every input has had stripped (views
 * and options are cleaned first; URLs pass through `new URL()`, which percent-encodes controls). So no input
 * can imitate a token, nothing feed or xml-js escapes can alter one, and a token left behind would make the
 * document unparseable; we check they all came back and throw rather than publish a feed we cannot vouch for.
 */
export class Slots {
  private readonly values: string[] = [];

  text(value: string): string {
    this.values.push(value);
    return `\u0001t${this.values.length - 1}\u0002`;
  }

  element(xml: string): string {
    this.values.push(xml);
    return `\u0001e${this.values.length - 1}\u0002`;
  }

  fill(xml: string): string {
    const seen = new Set<number>();
    // eslint-disable-next-line no-control-regex -- the delimiters are control characters on purpose (see above)
    const pattern = /<[^<>]*\u0001e(\d+)\u0002[^<>]*\/>|<!\[CDATA\[\u0001t(\d+)\u0002\]\]>|\u0001t(\d+)\u0002/g;
    const filled = xml.replace(
      pattern,
      (match, elementIndex: string | undefined, cdataIndex: string | undefined, textIndex: string | undefined) => {
        const index = Number(elementIndex ?? cdataIndex ?? textIndex);
        const value = this.values[index];
        if (value === undefined) throw new FeedRenderError(`Unknown feed slot in ${JSON.stringify(match)}`);
        seen.add(index);
        if (elementIndex !== undefined) return value;
        return cdataIndex !== undefined ? cdata(value) : escapeXml(value);
      },
    );
    // eslint-disable-next-line no-control-regex -- a delimiter left behind means a token was mangled
    if (seen.size !== this.values.length || /[\u0001\u0002]/.test(filled)) {
      throw new FeedRenderError('The feed package did not write every value where expected');
    }
    return filled;
  }
}
