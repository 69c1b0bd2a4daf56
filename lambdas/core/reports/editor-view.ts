import { leakBlockedView, type LeakStatusRepository } from '../paywall/leak-status';
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

/** One line of the editors' report list. */
export function listedReport(record: ReportRecord) {
  return {
    id: record.id,
    slug: record.slug,
    title: record.title,
    tier: record.tier,
    series: record.series,
    state: record.state,
    publishAt: record.publishAt,
    updatedAt: record.updatedAt,
    revision: record.revision,
    tags: record.tags,
  };
}
