import {
  leakBlockedView,
  type LeakStatus,
  type LeakStatusBatchReader,
  type LeakStatusRepository,
} from '../paywall/leak-status';
import { visibility } from '../paywall/tiers';
import type { Page } from '../shared/page';
import type { ReportRecord } from './report';
import type { ReportService } from './report-service';

/**
 * The whole report as its editors see it: the stored record without its fingerprints, the source they wrote,
 * the subscriber-only part, the leak scan's verdict on this revision and who changed it.
 */
export async function editorView(
  reports: ReportService,
  leakStatus: Pick<LeakStatusRepository, 'get'>,
  id: string,
  now: Date,
) {
  const [{ record, paid, source, visibility }, leak] = await Promise.all([reports.read(id, now), leakStatus.get(id)]);
  const { fingerprints: _fingerprints, ...report } = record;
  return {
    ...report,
    visibility,
    leakBlocked: leakBlockedView(record, leak),
    body: source.body,
    subscriberMarkdown: paid?.subscriberMarkdown ?? null,
    fullHtml: paid?.fullHtml ?? record.publicHtml,
    history: await reports.history(id, record.revision),
  };
}

/** Where a report stands, as the editors' list shows it (the console's status badge). */
export const LISTED_STATUSES = ['scheduled', 'live', 'unpublished', 'released', 'leak-blocked'] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];

/**
 * One status from the stored state, go-live, release and the leak scan's verdict on the current revision.
 * Unpublished comes first: such a report is in no public file, so nothing of it can be blocked there. A leak
 * block comes next and wins over live, scheduled and released: it is the one an editor must act on.
 */
export function listedStatus(record: ReportRecord, leak: LeakStatus | undefined, now: Date): ListedStatus {
  const shown = visibility(record, now);
  if (shown === 'unpublished') return 'unpublished';
  if (leakBlockedView(record, leak)) return 'leak-blocked';
  if (shown === 'scheduled') return 'scheduled';
  return record.released ? 'released' : 'live';
}

/** One line of the editors' report list. */
export function listedReport(record: ReportRecord, leak: LeakStatus | undefined, now: Date) {
  return {
    id: record.id,
    slug: record.slug,
    title: record.title,
    tier: record.tier,
    series: record.series,
    state: record.state,
    status: listedStatus(record, leak, now),
    released: record.released,
    ...(record.freeAt ? { freeAt: record.freeAt } : {}),
    publishAt: record.publishAt,
    updatedAt: record.updatedAt,
    revision: record.revision,
    tags: record.tags,
  };
}

/** A page of the editors' list with each report's status; the page's leak statuses are read in one batch. */
export async function listReports(
  reports: Pick<ReportService, 'list' | 'bySlug'>,
  leakStatus: LeakStatusBatchReader,
  page: { limit: number; cursor?: string; slug?: string },
  now: Date,
): Promise<Page<ReturnType<typeof listedReport>>> {
  // A slug names at most one report (the CLI finds the report a file names this way), unpublished ones included.
  const { items, nextCursor } =
    page.slug === undefined
      ? await reports.list(page.limit, page.cursor)
      : { items: [await reports.bySlug(page.slug)].filter((record) => record !== undefined), nextCursor: undefined };
  const leaks = items.length > 0 ? await leakStatus.getMany(items.map((record) => record.id)) : new Map();
  return {
    items: items.map((record) => listedReport(record, leaks.get(record.id), now)),
    ...(nextCursor ? { nextCursor } : {}),
  };
}
