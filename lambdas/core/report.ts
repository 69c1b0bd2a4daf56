// zod/mini: intake schemas are on the submit path, where classic zod alone would be ~440 KB of the bundle.
import * as z from 'zod/mini';
import type { Publication } from './publication';

/** The report model (brief §2). Types come from the schemas; nothing here is restated by hand. */
export const TIERS = ['complimentary', 'subscriber'] as const;
export type Tier = (typeof TIERS)[number];

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** ISO 8601 duration with date parts and/or time parts, e.g. P30D, P1M, PT12H, P1Y2M3DT4H. */
export const ISO_DURATION_PATTERN = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1, 'must not be blank'), z.maxLength(max));

const isoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time, e.g. 2026-11-24T09:00:00Z',
});

export const imageSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
  alt: text(300),
  caption: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});

export const freeAfterSchema = z.string().check(
  z.trim(),
  z.refine(
    (value: string) =>
      ISO_DURATION_PATTERN.test(value) ||
      (ISO_DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(value))) ||
      isoDateTime.safeParse(value).success,
    { error: 'must be a date (2026-12-31), a date-time or an ISO 8601 duration (P30D)' },
  ),
);

/** What an editor submits. Built per publication because the series must exist in its configuration. */
export function reportInputSchema(publication: Publication) {
  const seriesIds = publication.series.map((series) => series.id);
  return z.strictObject({
    title: text(300),
    summary: text(1000),
    body: z.string().check(z.refine((body: string) => body.trim().length > 0, { error: 'must not be blank' })),
    tier: z.enum(TIERS, { error: `must be one of: ${TIERS.join(', ')}` }),
    series: z.string().check(
      z.refine((id: string) => seriesIds.includes(id), {
        error: `must be one of the configured series: ${seriesIds.join(', ')}`,
      }),
    ),
    tags: z._default(z.array(text(50), { error: 'must be a list of short strings' }).check(z.maxLength(20)), []),
    authors: z._default(z.array(text(120)).check(z.maxLength(20)), []),
    leadImage: z.optional(imageSchema),
    publishAt: z.optional(isoDateTime),
    freeAfter: z.optional(freeAfterSchema),
    slug: z.optional(
      z.string().check(z.regex(SLUG_PATTERN, 'must be lowercase words joined by hyphens'), z.maxLength(80)),
    ),
  });
}

export type ReportInput = z.output<ReturnType<typeof reportInputSchema>>;
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
