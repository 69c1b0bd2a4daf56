import type { ReportLine, ReportStatus } from './api';

/** How each status reads in the list. */
export const STATUS_LABELS: Record<ReportStatus, string> = {
  scheduled: 'Scheduled',
  live: 'Live',
  unpublished: 'Unpublished',
  released: 'Released (free)',
  'leak-blocked': 'Leak-blocked',
};

/**
 * A report's status as the list shows it: the API's own `status` when it sends one, otherwise derived from the
 * older fields (`state`, `publishAt`, `released`). Leak blocks are only known from the API.
 */
export function reportStatus(
  report: Pick<ReportLine, 'status' | 'state' | 'publishAt' | 'released'>,
  now: Date,
): ReportStatus {
  if (report.status !== undefined) return report.status;
  if (report.state === 'unpublished') return 'unpublished';
  if (Date.parse(report.publishAt) > now.getTime()) return 'scheduled';
  return report.released === true ? 'released' : 'live';
}

/** Search over loaded lines: every word must appear in the title or one of the tags (case-insensitive). */
export function matchesSearch(report: Pick<ReportLine, 'title' | 'tags'>, search: string): boolean {
  const words = search
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  const haystack = [report.title, ...report.tags].map((text) => text.toLowerCase());
  return words.every((word) => haystack.some((text) => text.includes(word)));
}
