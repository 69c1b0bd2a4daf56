import { pauseEditionsWithReport, type EditionControlStore } from '../digest/edition-control';
import type { Author } from './report-history';
import type { ReportService, ReportSummary, WriteAnswer } from './report-service';

/**
 * The editions a change touches: those still planning or sending the report pause, and every edition listing it
 * has its web pages written again (public pages follow a correction or an unpublish like every public file).
 */
export type EditionsWithReport = Pick<EditionControlStore, 'editionsWithReport' | 'setStatus'> & {
  /** Asks the planner (which alone may write edition pages) to write these editions' pages again. */
  refreshPages(editionIds: readonly string[]): Promise<void>;
};

export interface ReportChange {
  id: string;
  now: Date;
  author: Author;
}

/**
 * A correction lands, then every edition still sending the old text pauses with a reason naming the report: the
 * operator resumes (the mail is compiled from the corrected table) or cancels. Returns the ids it paused.
 */
export async function correctReport(
  reports: ReportService,
  editions: EditionsWithReport,
  change: ReportChange & { input: Record<string, unknown>; ifMatch: number | undefined },
): Promise<WriteAnswer & { pausedEditions: string[] }> {
  const { id, now, author } = change;
  const updated = await reports.update(id, change.input, change.ifMatch, now, author);
  const reason = `report ${id} was corrected (revision ${updated.revision}) while this edition was being sent; resume to send the correction, or cancel`;
  const pausedEditions = await pauseEditionsWithReport(editions, id, reason, now);
  await editions.refreshPages(await editions.editionsWithReport(id));
  return { ...updated, pausedEditions };
}

/** Unpublishing takes the report out of every public artifact and pauses the editions still sending it. */
export async function unpublishReport(
  reports: ReportService,
  editions: EditionsWithReport,
  change: ReportChange,
): Promise<ReportSummary & { state: 'unpublished'; pausedEditions: string[] }> {
  const { id, now, author } = change;
  const result = await reports.unpublish(id, now, author);
  const reason = `report ${id} was unpublished while this edition was being sent; resume to send the edition without it, or cancel`;
  const pausedEditions = await pauseEditionsWithReport(editions, id, reason, now);
  await editions.refreshPages(await editions.editionsWithReport(id));
  return { ...result, state: 'unpublished', pausedEditions };
}
