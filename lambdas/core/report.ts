import { z } from 'zod';
import type { Publication } from './publication';

/** The report model (brief §2). Types come from the schemas; nothing here is restated by hand. */
export const TIERS = ['complimentary', 'subscriber'] as const;
export type Tier = (typeof TIERS)[number];

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** ISO 8601 duration with date parts and/or time parts, e.g. P30D, P1M, PT12H, P1Y2M3DT4H. */
export const ISO_DURATION_PATTERN = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const text = (max: number) => z.string().trim().min(1, 'must not be blank').max(max);

const isoDateTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time, e.g. 2026-11-24T09:00:00Z',
});

export const imageSchema = z.object({
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }),
  alt: text(300),
  caption: z.string().trim().max(500).optional(),
});

export const freeAfterSchema = z
  .string()
  .trim()
  .refine(
    (value) =>
      ISO_DURATION_PATTERN.test(value) ||
      (ISO_DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(value))) ||
      isoDateTime.safeParse(value).success,
    { message: 'must be a date (2026-12-31), a date-time or an ISO 8601 duration (P30D)' },
  );

/** What an editor submits. Built per publication because the series must exist in its configuration. */
export function reportInputSchema(publication: Publication) {
  const seriesIds = publication.series.map((series) => series.id);
  return z
    .object({
      title: text(300),
      summary: text(1000),
      body: z.string().refine((body) => body.trim().length > 0, 'must not be blank'),
      tier: z.enum(TIERS, { message: `must be one of: ${TIERS.join(', ')}` }),
      series: z
        .string()
        .refine((id) => seriesIds.includes(id), {
          message: `must be one of the configured series: ${seriesIds.join(', ')}`,
        }),
      tags: z.array(text(50), { message: 'must be a list of short strings' }).max(20).default([]),
      authors: z.array(text(120)).max(20).default([]),
      leadImage: imageSchema.optional(),
      publishAt: isoDateTime.optional(),
      freeAfter: freeAfterSchema.optional(),
      slug: z.string().regex(SLUG_PATTERN, 'must be lowercase words joined by hyphens').max(80).optional(),
    })
    .strict();
}

export type ReportInput = z.infer<ReturnType<typeof reportInputSchema>>;
export type Image = z.infer<typeof imageSchema>;

/** Whether a report is listed publicly. `scheduled` becomes `published` at publishAt; `unpublished` is final until an update. */
export type ReportState = 'live' | 'unpublished';

/**
 * The report as stored in the reports table: only what the public may see, plus references into the vault.
 * The subscriber-only part and the full Markdown source live in the vault bucket (brief §5).
 */
export interface ReportRecord {
  id: string;
  slug: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  title: string;
  summary: string;
  tier: Tier;
  series: string;
  tags: string[];
  authors: string[];
  leadImage?: Image;
  /** ISO UTC; a future value means scheduled. */
  publishAt: string;
  /** As the editor wrote it (date or duration). */
  freeAfter?: string;
  /** freeAfter resolved against publishAt, ISO UTC. */
  freeAt?: string;
  state: ReportState;
  /** A subscriber report whose freeAt has passed and whose full text has been copied into publicHtml. */
  released: boolean;
  /** Safe HTML the public may read: the whole body for complimentary/released reports, the preview otherwise. */
  publicHtml: string;
  /** Vault key of the subscriber-only part ({@link PaidPart}); subscriber reports only. */
  paidRef?: string;
  /** Vault key of the full source as submitted. */
  sourceRef: string;
  /** Hashed, sampled word shingles of the subscriber-only text, for the leak scan. Never the text itself. */
  fingerprints: string[];
}

/** The subscriber-only part of a report, stored in the vault under a content-addressed key. */
export interface PaidPart {
  /** Markdown after the cut (footnote definitions only the paid part references included). */
  subscriberMarkdown: string;
  /** Safe HTML of the whole report, for paid readers. */
  fullHtml: string;
}
