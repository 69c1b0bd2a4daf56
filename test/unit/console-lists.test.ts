import { describe, expect, it } from 'vitest';
import { listEditors } from '../../lambdas/core/editors/editor-accounts';
import type { EditorRecord } from '../../lambdas/core/editors/editor-tokens';
import type { LeakStatus } from '../../lambdas/core/paywall/leak-status';
import { listedReport, listedStatus, listReports } from '../../lambdas/core/reports/editor-view';
import type { ReportRecord } from '../../lambdas/core/reports/report';

const NOW = new Date('2026-11-30T08:00:00.000Z');

function report(id: string, fields: Partial<ReportRecord> = {}): ReportRecord {
  return {
    id,
    slug: id.toLowerCase(),
    revision: 3,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    title: `Report ${id}`,
    summary: 'A summary.',
    tier: 'subscriber',
    series: 'grid-watch',
    tags: [],
    authors: [],
    publishAt: '2026-11-30T07:00:00.000Z',
    state: 'live',
    released: false,
    publicHtml: '<p>Preview.</p>',
    sourceRef: `source/${id}`,
    fingerprints: [],
    ...fields,
  };
}

const leak = (reportId: string, revision: number): LeakStatus => ({
  reportId,
  revision,
  artifacts: ['feeds/rss.xml'],
  action: 'stubbed',
  at: '2026-11-30T07:30:00.000Z',
});

describe('the status of a listed report', () => {
  it('is live once go-live has passed', () => {
    expect(listedStatus(report('A'), undefined, NOW)).toBe('live');
  });

  it('is scheduled while go-live is ahead', () => {
    expect(listedStatus(report('A', { publishAt: '2026-12-01T09:00:00.000Z' }), undefined, NOW)).toBe('scheduled');
  });

  it('is released for a subscriber report past freeAfter', () => {
    const released = report('A', { released: true, freeAt: '2026-11-29T00:00:00.000Z' });
    expect(listedStatus(released, undefined, NOW)).toBe('released');
  });

  it('is unpublished once unpublished, even with a leak block on record', () => {
    expect(listedStatus(report('A', { state: 'unpublished' }), leak('A', 3), NOW)).toBe('unpublished');
  });

  it('is leak-blocked over live, scheduled and released while the current revision is blocked', () => {
    expect(listedStatus(report('A'), leak('A', 3), NOW)).toBe('leak-blocked');
    expect(listedStatus(report('A', { publishAt: '2027-01-01T00:00:00.000Z' }), leak('A', 3), NOW)).toBe(
      'leak-blocked',
    );
    expect(listedStatus(report('A', { released: true }), leak('A', 3), NOW)).toBe('leak-blocked');
  });

  it('forgets a block on an earlier revision: a correction starts clean', () => {
    expect(listedStatus(report('A'), leak('A', 2), NOW)).toBe('live');
  });

  it('lists released and freeAt beside the status, and the fields the list always had', () => {
    const line = listedReport(report('A', { freeAt: '2026-12-30T07:00:00.000Z' }), undefined, NOW);
    expect(line).toMatchObject({ id: 'A', status: 'live', released: false, freeAt: '2026-12-30T07:00:00.000Z' });
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining([
        'slug',
        'title',
        'tier',
        'series',
        'state',
        'publishAt',
        'updatedAt',
        'revision',
        'tags',
      ]),
    );
    expect('freeAt' in listedReport(report('B'), undefined, NOW)).toBe(false);
  });
});

describe('a page of the editors’ list', () => {
  it('reads the leak statuses of the whole page in one batch', async () => {
    const batches: string[][] = [];
    const page = await listReports(
      {
        list: async () => ({ items: [report('A'), report('B'), report('C')], nextCursor: 'next' }),
        bySlug: async () => undefined,
      },
      {
        getMany: async (ids) => {
          batches.push([...ids]);
          return new Map([['B', leak('B', 3)]]);
        },
      },
      { limit: 3 },
      NOW,
    );
    expect(batches).toEqual([['A', 'B', 'C']]);
    expect(page.items.map((item) => item.status)).toEqual(['live', 'leak-blocked', 'live']);
    expect(page.nextCursor).toBe('next');
  });

  it('asks for no statuses on an empty page', async () => {
    let calls = 0;
    const page = await listReports(
      { list: async () => ({ items: [] }), bySlug: async () => undefined },
      {
        getMany: async () => {
          calls += 1;
          return new Map();
        },
      },
      { limit: 20 },
      NOW,
    );
    expect(page).toEqual({ items: [] });
    expect(calls).toBe(0);
  });
});

describe('the editors list', () => {
  const editor = (editorId: string, createdAt: string, fields: Partial<EditorRecord> = {}): EditorRecord => ({
    tokenHash: `${editorId.toLowerCase()}`.padEnd(64, '0'),
    editorId,
    name: `Editor ${editorId}`,
    role: 'editor',
    createdAt,
    ...fields,
  });

  it('is oldest first across roles, ties by id, without the token hash', async () => {
    const editors = await listEditors({
      list: async () => [
        editor('C', '2026-11-02T00:00:00.000Z'),
        editor('B', '2026-11-01T00:00:00.000Z', { role: 'admin' }),
        editor('A', '2026-11-02T00:00:00.000Z', { revokedAt: '2026-11-03T00:00:00.000Z' }),
      ],
    });
    expect(editors).toEqual([
      { id: 'B', name: 'Editor B', role: 'admin', createdAt: '2026-11-01T00:00:00.000Z' },
      {
        id: 'A',
        name: 'Editor A',
        role: 'editor',
        createdAt: '2026-11-02T00:00:00.000Z',
        revokedAt: '2026-11-03T00:00:00.000Z',
      },
      { id: 'C', name: 'Editor C', role: 'editor', createdAt: '2026-11-02T00:00:00.000Z' },
    ]);
  });
});
