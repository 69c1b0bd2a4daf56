import { describe, expect, it } from 'vitest';
import { MAX_SWEEP_PAGES, sweepDueReports, type SweepObserver } from '../../lambdas/core/reports/release-sweep';
import type { PaidPart, ReportRecord } from '../../lambdas/core/reports/report';

const NOW = new Date('2026-11-30T08:00:00.000Z');

function report(id: string, fields: Partial<ReportRecord> = {}): ReportRecord {
  return {
    id,
    slug: id.toLowerCase(),
    revision: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    title: `Report ${id}`,
    summary: 'A summary.',
    tier: 'complimentary',
    series: 'grid-watch',
    tags: [],
    authors: [],
    publishAt: '2026-11-30T07:59:00.000Z',
    state: 'live',
    released: false,
    publicHtml: '<p>Preview.</p>',
    sourceRef: `source/${id}`,
    fingerprints: [],
    ...fields,
  };
}

/** An in-memory reports table whose `due` lists what has not been replaced yet, like the sparse byDue index. */
class FakeReports {
  readonly replaced: ReportRecord[] = [];
  dueCalls = 0;
  constructor(
    private pending: ReportRecord[],
    private readonly editedMeanwhile = new Set<string>(),
  ) {}

  async due(): Promise<ReportRecord[]> {
    this.dueCalls += 1;
    return this.pending;
  }

  async replace(record: ReportRecord, expectedRevision: number): Promise<boolean> {
    if (this.editedMeanwhile.has(record.id) || record.revision !== expectedRevision) return false;
    this.replaced.push(record);
    this.pending = this.pending.filter((candidate) => candidate.id !== record.id);
    return true;
  }
}

const paidParts = (parts: Record<string, PaidPart>) => ({
  async getJson<T>(key: string): Promise<T> {
    const part = parts[key];
    if (!part) throw new Error(`no object ${key}`);
    return part as T;
  },
});

function recorder() {
  const applied: [string, boolean][] = [];
  const failed: string[] = [];
  const observer: SweepObserver = {
    applied: (reportId, released) => applied.push([reportId, released]),
    failed: (reportId) => failed.push(reportId),
  };
  return { observer, applied, failed };
}

const paid: PaidPart = { subscriberMarkdown: 'Paid.', fullHtml: '<p>Preview.</p><p>Paid.</p>' };

describe('sweepDueReports', () => {
  it('lists a due scheduled report as it is', async () => {
    const reports = new FakeReports([report('R1')]);
    const { observer, applied } = recorder();
    const counts = await sweepDueReports(reports, paidParts({}), NOW, observer);
    expect(counts).toEqual({ published: 1, released: 0, skipped: 0, failed: 0 });
    expect(reports.replaced).toEqual([report('R1')]);
    expect(applied).toEqual([['R1', false]]);
  });

  it('releases a subscriber report past freeAt with the full text from its paid part', async () => {
    const due = report('R2', { tier: 'subscriber', paidRef: 'paid/R2', freeAt: '2026-11-30T07:00:00.000Z' });
    const reports = new FakeReports([due]);
    const { observer, applied } = recorder();
    const counts = await sweepDueReports(reports, paidParts({ 'paid/R2': paid }), NOW, observer);
    expect(counts).toEqual({ published: 0, released: 1, skipped: 0, failed: 0 });
    expect(reports.replaced[0]).toMatchObject({ released: true, publicHtml: paid.fullHtml, fingerprints: [] });
    expect(applied).toEqual([['R2', true]]);
  });

  it('counts a broken report as failed and still handles the others', async () => {
    const broken = report('R3', { tier: 'subscriber', freeAt: '2026-11-30T07:00:00.000Z' });
    const reports = new FakeReports([broken, report('R4')]);
    const { observer, failed } = recorder();
    const counts = await sweepDueReports(reports, paidParts({}), NOW, observer);
    // The broken one is still due on the second page, which then moves nothing and ends the sweep.
    expect(counts).toEqual({ published: 1, released: 0, skipped: 0, failed: 2 });
    expect(failed).toEqual(['R3', 'R3']);
    expect(reports.replaced.map((record) => record.id)).toEqual(['R4']);
  });

  it('skips a report edited meanwhile and stops when a page moves nothing', async () => {
    const reports = new FakeReports([report('R5')], new Set(['R5']));
    const { observer } = recorder();
    const counts = await sweepDueReports(reports, paidParts({}), NOW, observer);
    expect(counts).toEqual({ published: 0, released: 0, skipped: 1, failed: 0 });
    expect(reports.dueCalls).toBe(1);
  });

  it('takes further pages while they progress, up to its page limit', async () => {
    // A table that always has one more due report: the sweep must not run forever.
    let next = 0;
    const endless = {
      due: async () => [report(`R${(next += 1)}`)],
      replace: async () => true,
    };
    const { observer } = recorder();
    const counts = await sweepDueReports(endless, paidParts({}), NOW, observer);
    expect(counts.published).toBe(MAX_SWEEP_PAGES);
  });
});
