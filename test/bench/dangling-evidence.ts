import type { DanglingLink } from './feed-watch';
import type { StackLog } from './stack-log';
import { percentile, round } from './stats';

/**
 * Each dangling link on one timeline, in ms from its report's table write ("Report created", logged by the
 * reports API before its 201): when a feed listed it, when the reader got the non-200, when the page first
 * answered 200, and how many stream batches the feed publisher finished in between ("Site published" lines,
 * stamped when a batch's last write is done). A page that was still missing after a feed listed it was written
 * after that feed: the publisher writes a batch's own pages before its feeds, so the report was not in the batch
 * that wrote the feed, which read the report from the table all the same.
 */
export interface DanglingTimeline {
  url: string;
  status: number;
  format: string;
  listedAfterWriteMs: number | undefined;
  checkedAfterWriteMs: number | undefined;
  pageOkAfterWriteMs: number | undefined;
  /** Batches that ended after the write and before the listing read: it waited behind them. */
  batchesEndedBeforeListing: number | undefined;
  /** Batches that ended after the listing read and up to the page's first 200. */
  batchesEndedUntilPage: number | undefined;
}

export interface DanglingSummary {
  /** Listing reads whose last finished batch was full (`batchSize` records): more records were waiting. */
  listedAfterFullBatch: number;
  listedToPageP50Ms: number | undefined;
  listedToPageMaxMs: number | undefined;
  timelines: DanglingTimeline[];
}

/** `idByUrl`: the report id of each submit's page URL (from the 201). */
export function explainDangling(
  dangling: readonly DanglingLink[],
  idByUrl: ReadonlyMap<string, string>,
  stackLog: StackLog,
  batchSize: number,
): DanglingSummary {
  const ended = (from: number, to: number) => stackLog.published.filter((batch) => batch.at > from && batch.at <= to);
  const timelines = dangling.map((link): DanglingTimeline => {
    const id = idByUrl.get(link.url);
    const writtenAt = id === undefined ? undefined : stackLog.createdAt.get(id);
    const after = (at: number | undefined) =>
      at === undefined || writtenAt === undefined ? undefined : at - writtenAt;
    return {
      url: link.url,
      status: link.status,
      format: link.format,
      listedAfterWriteMs: after(link.listedAt),
      checkedAfterWriteMs: after(link.checkedAt),
      pageOkAfterWriteMs: after(link.pageOkAt),
      batchesEndedBeforeListing: writtenAt === undefined ? undefined : ended(writtenAt, link.listedAt).length,
      batchesEndedUntilPage: link.pageOkAt === undefined ? undefined : ended(link.listedAt, link.pageOkAt).length,
    };
  });
  const waits = dangling.flatMap((link) => (link.pageOkAt === undefined ? [] : [link.pageOkAt - link.listedAt]));
  return {
    listedAfterFullBatch: dangling.filter(
      (link) => stackLog.published.filter((batch) => batch.at <= link.listedAt).at(-1)?.records === batchSize,
    ).length,
    listedToPageP50Ms: waits.length > 0 ? round(percentile(waits, 50)) : undefined,
    listedToPageMaxMs: waits.length > 0 ? round(Math.max(...waits)) : undefined,
    timelines,
  };
}
