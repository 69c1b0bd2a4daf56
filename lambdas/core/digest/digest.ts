import { z } from 'zod';
import type { Publication } from '../shared/publication';
import type { ReportView } from '../paywall/tiers';

/**
 * The digest edition, without any rendering library: which report goes in which section, the subject, the
 * preheader, and the per-recipient stage that turns a compiled edition into one message. The sender Lambda
 * imports this module only, so it never loads MJML.
 */
export const DIGEST_TIERS = ['free', 'paid'] as const;
export type DigestTier = (typeof DIGEST_TIERS)[number];

export interface EditionContent {
  id: string;
  date: Date;
  tier: DigestTier;
  /** Reports every reader may read in full: complimentary ones and subscriber ones released after freeAfter. */
  complimentary: ReportView[];
  /** Subscriber reports: previews (access `preview`) for free readers, full text for paid readers. */
  subscriberOnly: ReportView[];
}

export class EditionContentError extends Error {
  override readonly name = 'EditionContentError';
}

export class RecipientError extends Error {
  override readonly name = 'RecipientError';
}

export const SUBJECT_MAX_LENGTH = 110;
export const PREHEADER_MAX_LENGTH = 140;

export function isComplimentarySection(view: ReportView): boolean {
  return view.tier === 'complimentary' || view.complimentaryOffering;
}

/** Newest first, so the lead report (and the subject) is the freshest news; the id breaks ties stably. */
function newestFirst(a: ReportView, b: ReportView): number {
  return Date.parse(b.publishAt) - Date.parse(a.publishAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Splits the views the caller built for one tier (publicView for free readers, paidView for paid readers) into
 * the two sections, and checks that the caller picked the right views.
 */
export function buildEditionContent(input: {
  id: string;
  date: Date;
  tier: DigestTier;
  views: readonly ReportView[];
}): EditionContent {
  const sorted = [...input.views].sort(newestFirst);
  const content: EditionContent = {
    id: input.id,
    date: input.date,
    tier: input.tier,
    complimentary: sorted.filter(isComplimentarySection),
    subscriberOnly: sorted.filter((view) => !isComplimentarySection(view)),
  };
  assertEditionContent(content);
  return content;
}

/**
 * The renderer never decides tiers, but it refuses an edition whose views contradict its tier: a full
 * subscriber report in a free edition would be a leak, a preview in a paid edition short-changes a paying reader.
 */
export function assertEditionContent(content: EditionContent): void {
  const all = [...content.complimentary, ...content.subscriberOnly];
  if (all.length === 0) throw new EditionContentError(`Edition ${content.id} has no reports`);
  if (new Set(all.map((view) => view.id)).size !== all.length) {
    throw new EditionContentError(`Edition ${content.id} lists a report twice`);
  }
  for (const view of content.complimentary) {
    if (!isComplimentarySection(view) || view.access !== 'full') {
      throw new EditionContentError(
        `Edition ${content.id}: report ${view.id} in the complimentary section must be a complimentary full view`,
      );
    }
  }
  const expectedAccess = content.tier === 'free' ? 'preview' : 'full';
  for (const view of content.subscriberOnly) {
    if (isComplimentarySection(view) || view.access !== expectedAccess) {
      throw new EditionContentError(
        `Edition ${content.id} (${content.tier}): report ${view.id} in the subscriber section must be a subscriber report with access ${expectedAccess}`,
      );
    }
  }
}

export function editionReports(content: EditionContent): ReportView[] {
  return [...content.complimentary, ...content.subscriberOnly].sort(newestFirst);
}

/** The newest report of the edition, whichever section it is in, so both tiers get the same subject. */
export function leadReport(content: EditionContent): ReportView {
  const lead = editionReports(content)[0];
  if (!lead) throw new EditionContentError(`Edition ${content.id} has no reports`);
  return lead;
}

/** Collapses newlines and control characters: a title must never be able to break a mail header. */
function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cuts at a word boundary when one is near, and never inside an emoji or a combining sequence. */
export function truncateText(text: string, maxLength: number): string {
  const clusters = Array.from(graphemes.segment(text), (segment) => segment.segment);
  if (clusters.length <= maxLength) return text;
  const cut = clusters.slice(0, maxLength - 1).join('');
  const lastSpace = cut.lastIndexOf(' ');
  const base = lastSpace >= cut.length * 0.6 ? cut.slice(0, lastSpace) : cut;
  return `${base.replace(/[\s,;:.\u2014-]+$/u, '')}…`;
}

/** Built from titles only: titles are public in every feed, so the subject is the same for both tiers. */
export function editionSubject(content: EditionContent, publication: Publication): string {
  const count = content.complimentary.length + content.subscriberOnly.length;
  const prefix = `${publication.name} — `;
  const more = count > 1 ? ` + ${count - 1} more` : '';
  const room = Math.max(20, SUBJECT_MAX_LENGTH - prefix.length - more.length);
  return `${prefix}${truncateText(singleLine(leadReport(content).title), room)}${more}`;
}

/** Built from summaries only (brief §3: always public), lead first, never from body text. */
export function editionPreheader(content: EditionContent): string {
  const summaries = editionReports(content).map((view) => singleLine(view.summary));
  return truncateText(summaries.join(' · '), PREHEADER_MAX_LENGTH);
}

export function formatEditionDate(date: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone }).format(
    typeof date === 'string' ? new Date(date) : date,
  );
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/* ---------- Stage 2: one compiled edition, one message per recipient ---------- */

export const RECIPIENT_TOKENS = ['unsubscribeUrl', 'feedUrl'] as const;
export type RecipientToken = (typeof RECIPIENT_TOKENS)[number];

/** A compiled document cut at each per-recipient token: parts[0] slot[0] parts[1] … parts[n]. */
export const splitDocumentSchema = z
  .object({
    parts: z.array(z.string()).min(1),
    slots: z.array(z.enum(RECIPIENT_TOKENS)),
  })
  .refine((doc) => doc.parts.length === doc.slots.length + 1, 'parts must be one longer than slots');

/** What the planner stores in S3 and the sender loads: plain JSON, no functions, no Dates. */
export const compiledEditionSchema = z.object({
  format: z.literal('dispatch.compiled-edition.v1'),
  editionId: z.string().min(1),
  tier: z.enum(DIGEST_TIERS),
  subject: z.string().min(1),
  preheader: z.string(),
  reportIds: z.array(z.string()),
  html: splitDocumentSchema,
  text: splitDocumentSchema,
});

export type SplitDocument = z.infer<typeof splitDocumentSchema>;
export type CompiledEdition = z.infer<typeof compiledEditionSchema>;

export function parseCompiledEdition(raw: unknown): CompiledEdition {
  const result = compiledEditionSchema.safeParse(raw);
  if (!result.success) throw new Error(`Invalid compiled edition: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Cuts a compiled document at every sentinel, once per edition, so that each message is only a join. */
export function splitOnSentinels(document: string, sentinels: Readonly<Record<RecipientToken, string>>): SplitDocument {
  const byValue = new Map<string, RecipientToken>(RECIPIENT_TOKENS.map((token) => [sentinels[token], token]));
  const pattern = new RegExp(
    [...byValue.keys()].map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  const parts: string[] = [];
  const slots: RecipientToken[] = [];
  let last = 0;
  for (const match of document.matchAll(pattern)) {
    parts.push(document.slice(last, match.index));
    slots.push(byValue.get(match[0]) as RecipientToken);
    last = match.index + match[0].length;
  }
  parts.push(document.slice(last));
  return { parts, slots };
}

export interface Recipient {
  unsubscribeUrl: string;
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
  return {
    subject: compiled.subject,
    html: join(compiled.html, {
      unsubscribeUrl: escapeHtml(unsubscribeUrl),
      feedUrl: feedUrl === undefined ? undefined : escapeHtml(feedUrl),
    }),
    text: join(compiled.text, { unsubscribeUrl, feedUrl }),
    headers: [
      { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
  };
}
