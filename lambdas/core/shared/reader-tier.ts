/**
 * What a reader pays for: `free` readers get public views (previews of subscriber reports), `paid` readers get
 * the full text and a private feed. Subscribers, digest editions, the digest preview and the CLI all speak of
 * the same two tiers, so they are declared once here. A report's own tier (`complimentary` or `subscriber`,
 * see reports/report.ts) is a different question: who may read that report.
 */
export const READER_TIERS = ['free', 'paid'] as const;
export type ReaderTier = (typeof READER_TIERS)[number];
