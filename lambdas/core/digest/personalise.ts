import { escapeHtml } from '../shared/escape-html';
import type { CompiledEdition, RecipientToken, SplitDocument } from './compiled-edition';

/**
 * Stage 2 of the digest: one compiled edition, one message per recipient, with the reader's own links. The
 * sender Lambda imports this and compiled-edition.ts only, so it never loads MJML.
 */

/** A recipient whose links cannot go into a message: not absolute http(s), or missing for the edition's tier. */
export class RecipientError extends Error {
  override readonly name = 'RecipientError';
}

export interface Recipient {
  unsubscribeUrl: string;
  /** The reader's manage page (series and unsubscribe), in the footer of every edition. */
  manageUrl: string;
  /** The paid reader's private-feed URL; required for the paid tier. */
  feedUrl?: string;
}

export interface MailHeader {
  name: string;
  value: string;
}

export interface PersonalisedMessage {
  subject: string;
  html: string;
  text: string;
  headers: MailHeader[];
}

/** No whitespace (so no CR/LF header injection) and no angle brackets (List-Unsubscribe wraps it in <>). */
const RECIPIENT_URL = /^https?:\/\/[^\s<>]+$/;

function checkedUrl(name: RecipientToken, value: string): string {
  if (!RECIPIENT_URL.test(value)) throw new RecipientError(`${name} must be an absolute http(s) URL without spaces`);
  return value;
}

function join(doc: SplitDocument, values: Readonly<Record<RecipientToken, string | undefined>>): string {
  const { parts, slots } = doc;
  let out = parts[0] ?? '';
  for (let i = 0; i < slots.length; i++) {
    const value = values[slots[i] as RecipientToken];
    if (value === undefined) throw new RecipientError(`The edition needs ${slots[i]} but the recipient has none`);
    out += value + (parts[i + 1] ?? '');
  }
  return out;
}

/** Stage 2: no parsing, no MJML, only joins of precomputed parts (see test/bench/digest-render.bench-helper.ts). */
export function personalise(compiled: CompiledEdition, recipient: Recipient): PersonalisedMessage {
  const unsubscribeUrl = checkedUrl('unsubscribeUrl', recipient.unsubscribeUrl);
  if (compiled.tier === 'paid' && recipient.feedUrl === undefined) {
    throw new RecipientError('A paid edition needs the reader’s private feed URL');
  }
  const feedUrl = recipient.feedUrl === undefined ? undefined : checkedUrl('feedUrl', recipient.feedUrl);
  const manageUrl = checkedUrl('manageUrl', recipient.manageUrl);
  return {
    subject: compiled.subject,
    html: join(compiled.html, {
      unsubscribeUrl: escapeHtml(unsubscribeUrl),
      feedUrl: feedUrl === undefined ? undefined : escapeHtml(feedUrl),
      manageUrl: escapeHtml(manageUrl),
    }),
    text: join(compiled.text, { unsubscribeUrl, feedUrl, manageUrl }),
    headers: [
      { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
  };
}
