// zod/mini: these schemas sit on the submit path, where classic zod alone would be ~440 KB of the bundle.
import * as z from 'zod/mini';

/**
 * Publication settings: the `dispatch` context key of cdk.json. The CDK app hands the same JSON to every
 * function (env `DISPATCH_PUBLICATION`) and the local stack reads it from cdk.json, so one schema guards both.
 */
export const seriesSchema = z.object({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/)),
  name: z.string().check(z.minLength(1)),
  blurb: z.string().check(z.minLength(1)),
  link: z.url(),
});

/** Reports per digest edition unless configured: more makes a mail nobody reads to the end (and a slow MJML compile). */
export const DEFAULT_EDITION_REPORTS = 30;
/** The most `digest.maxReports` may be. */
export const MAX_EDITION_REPORTS = 100;

export const publicationSchema = z.object({
  name: z.string().check(z.minLength(1)),
  siteUrl: z.pipe(
    z.url(),
    z.transform((url: string) => url.replace(/\/+$/, '')),
  ),
  subscribeUrl: z.url(),
  senderAddress: z.email(),
  footerText: z.string().check(z.minLength(1)),
  series: z.array(seriesSchema).check(z.minLength(1)),
  digest: z.object({
    cron: z.string().check(z.minLength(9)),
    timeZone: z.string().check(z.minLength(1)),
    /** Reports per edition: the oldest go first, the rest open the next edition (see `capWindow`). */
    maxReports: z._default(z.int().check(z.minimum(1), z.maximum(MAX_EDITION_REPORTS)), DEFAULT_EDITION_REPORTS),
  }),
  feedLength: z.int().check(z.minimum(1), z.maximum(500)),
  maxBodyBytes: z.int().check(z.minimum(1024)),
  feedCacheControl: z.string().check(z.minLength(1)),
  pageCacheControl: z.string().check(z.minLength(1)),
  sendRatePerSecond: z.number().check(z.positive()),
});

export type Series = z.infer<typeof seriesSchema>;
export type Publication = z.infer<typeof publicationSchema>;

export function parsePublication(raw: unknown): Publication {
  const result = publicationSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`Invalid publication settings: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export function findSeries(publication: Publication, id: string): Series | undefined {
  return publication.series.find((series) => series.id === id);
}
