// zod/mini: intake schemas are on the submit path, where classic zod alone would be ~440 KB of the bundle.
import * as z from 'zod/mini';
import { isCalendarDay } from '../shared/datelines';
import type { Publication } from '../shared/publication';
import { hasVisibleText, stripInvisible } from '../shared/text-safety';
import { SLUG_PATTERN } from './slug-pattern';

/** The report model (brief §2). Types come from the schemas; nothing here is restated by hand. */
export const TIERS = ['complimentary', 'subscriber'] as const;
export type Tier = (typeof TIERS)[number];

export { SLUG_PATTERN };
/** ISO 8601 duration with date parts and/or time parts, e.g. P30D, P1M, PT12H, P1Y2M3DT4H. */
export const ISO_DURATION_PATTERN = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/**
 * A short display field (title, summary, tag, author, alt text): invisible and bidi control characters are
 * stripped first, and what remains must show something, or the field would render as nothing everywhere.
 */
const text = (max: number) =>
  z.string().check(
    z.overwrite(stripInvisible),
    z.trim(),
    z.minLength(1, 'must not be blank'),
    z.refine((value: string) => value.length === 0 || hasVisibleText(value), {
      error: 'must contain visible characters, not only invisible or formatting ones',
    }),
    z.maxLength(max),
  );

const isoDateTime = z.iso.datetime({ offset: true });

/** A plain calendar day (`2026-11-24`, midnight UTC where an instant is needed) or a full ISO 8601 date-time. */
const isDateField = (value: string): boolean =>
  (isCalendarDay(value) || isoDateTime.safeParse(value).success) && withinPublishingYears(value);

/**
 * Years a report can plausibly carry. Far ends are refused: a year-9999 go-live plus a freeAfter would pass
 * JavaScript's year 9999 and sort before today in the release sweeper's index, and year 0 shows as "-1".
 */
function withinPublishingYears(value: string): boolean {
  const year = new Date(value.length === 10 ? `${value}T00:00:00Z` : value).getUTCFullYear();
  return year >= 1900 && year <= 2999;
}

const DATE_FIELD_ERROR =
  'must be a date (2026-11-24) or an ISO 8601 date-time (2026-11-24T09:00:00Z) between the years 1900 and 2999';
const dateField = z.string().check(z.trim(), z.refine(isDateField, { error: DATE_FIELD_ERROR }));

export const imageSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
  alt: text(300),
  caption: z.optional(z.string().check(z.overwrite(stripInvisible), z.trim(), z.maxLength(500))),
});

export const freeAfterSchema = z.string().check(
  z.trim(),
  z.refine((value: string) => (ISO_DURATION_PATTERN.test(value) && withinACentury(value)) || isDateField(value), {
    error: 'must be a date (2026-12-31), a date-time or an ISO 8601 duration (P30D) of at most 100 years',
  }),
);

/** A duration whose parts add up to at most a century: `P300000Y` would be past the end of JavaScript time. */
function withinACentury(duration: string): boolean {
  const [, y, mo, w, d, , h, mi, sec] = ISO_DURATION_PATTERN.exec(duration) ?? [];
  const n = (part: string | undefined) => (part ? Number.parseInt(part, 10) : 0);
  const days = n(y) * 365.25 + n(mo) * 30.44 + n(w) * 7 + n(d) + n(h) / 24 + n(mi) / 1440 + n(sec) / 86_400;
  return Number.isFinite(days) && days <= 36_525;
}

/** What an editor submits. Built per publication because the series must exist in its configuration. */
export function reportInputSchema(publication: Publication) {
  const seriesIds = publication.series.map((series) => series.id);
  return z.strictObject({
    title: text(300),
    summary: text(1000),
    body: z.string().check(z.refine((body: string) => body.trim().length > 0, { error: 'must not be blank' })),
    tier: z.enum(TIERS, { error: `must be one of: ${TIERS.join(', ')}` }),
    series: z.string().check(
      z.overwrite(stripInvisible),
      z.refine((id: string) => seriesIds.includes(id), {
        error: `must be one of the configured series: ${seriesIds.join(', ')}`,
      }),
    ),
    tags: z._default(z.array(text(50), { error: 'must be a list of short strings' }).check(z.maxLength(20)), []),
    authors: z._default(z.array(text(120)).check(z.maxLength(20)), []),
    leadImage: z.optional(imageSchema),
    /** Go-live: when the report becomes public and mailable; future = scheduled. */
    publishAt: z.optional(dateField),
    /** The date readers are shown; may lie in the past (a report written earlier). Defaults to publishAt. */
    dateline: z.optional(dateField),
    freeAfter: z.optional(freeAfterSchema),
    /** `false` keeps the report out of every digest edition (archive imports); it is still published. */
    mail: z.optional(z.boolean({ error: 'must be true or false' })),
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
  /** Go-live as the editor gave it, ISO UTC (intake time when not given); a future value means scheduled. */
  publishAt: string;
  /**
   * When the report went (or goes) live in Dispatch, ISO UTC: publishAt, or the intake time when publishAt was
   * already past. Digest windows and feed order count from it; it never moves once passed, so a back-dated report
   * still reaches the next edition and a correction never puts a report in a second one. Absent on items written
   * before it existed, where publishAt stands in ({@link goLive}).
   */
  liveAt?: string;
  /** What readers are shown as the report's date: a plain `YYYY-MM-DD` day or ISO UTC. Absent: publishAt. */
  dateline?: string;
  /** `false`: never in a digest edition (archive imports). Absent means mailed. */
  mail?: false;
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

/** When the report went (or goes) live: {@link ReportRecord.liveAt}, or publishAt for items older than it. */
export function goLive(record: Pick<ReportRecord, 'publishAt' | 'liveAt'>): string {
  return record.liveAt ?? record.publishAt;
}

/** The subscriber-only part of a report, stored in the vault under a content-addressed key. */
export interface PaidPart {
  /** Markdown after the cut (footnote definitions only the paid part references included). */
  subscriberMarkdown: string;
  /** Safe HTML of the whole report, for paid readers. */
  fullHtml: string;
}
