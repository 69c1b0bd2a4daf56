import { z } from 'zod';
import { READER_TIERS, type ReaderTier } from '../shared/reader-tier';

/**
 * The compiled edition: what the planner stores once per edition and tier, and the sender loads for every
 * reader. Each document is already cut at the per-recipient tokens, so personalising a message is only a join.
 */
export const RECIPIENT_TOKENS = ['unsubscribeUrl', 'feedUrl', 'manageUrl'] as const;
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
  tier: z.enum(READER_TIERS),
  subject: z.string().min(1),
  preheader: z.string(),
  reportIds: z.array(z.string()),
  /** The combination of series it holds (series-combination.ts); absent in editions compiled whole. */
  series: z.string().optional(),
  /** Reports the clip rule shortened to a link (clip-rule.ts); absent in documents compiled before it: none. */
  shortenedReportIds: z.array(z.string()).optional(),
  html: splitDocumentSchema,
  text: splitDocumentSchema,
});

/**
 * Which compiled document: one per edition, compile version (each resume compiles again), tier and combination
 * of series. No `series` is the whole edition as compiled before readers chose series (old queue messages).
 */
export interface CompiledEditionRef {
  editionId: string;
  version: number;
  tier: ReaderTier;
  series?: string;
}

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
