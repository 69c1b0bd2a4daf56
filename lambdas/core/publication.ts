import { z } from 'zod';

/**
 * Publication settings: the `dispatch` context key of cdk.json. The CDK app hands the same JSON to every
 * function (env `DISPATCH_PUBLICATION`) and the local stack reads it from cdk.json, so one schema guards both.
 */
export const seriesSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  name: z.string().min(1),
  blurb: z.string().min(1),
  link: z.url(),
});

export const publicationSchema = z.object({
  name: z.string().min(1),
  siteUrl: z.url().transform((url) => url.replace(/\/+$/, '')),
  subscribeUrl: z.url(),
  senderAddress: z.email(),
  footerText: z.string().min(1),
  series: z.array(seriesSchema).min(1),
  digest: z.object({
    cron: z.string().min(9),
    timeZone: z.string().min(1),
  }),
  feedLength: z.number().int().min(1).max(500),
  maxBodyBytes: z.number().int().min(1024),
  feedCacheControl: z.string().min(1),
  pageCacheControl: z.string().min(1),
  sendRatePerSecond: z.number().positive(),
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
