import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import { ConflictError, StaleRevisionError } from '../../lambdas/core/shared/errors';
import type { ReportsRepository, VaultStore } from '../../lambdas/core/reports/ports';
import { parsePublication } from '../../lambdas/core/shared/publication';
import type { ReportRecord } from '../../lambdas/core/reports/report';
import { shownHistory, type RevisionEntry } from '../../lambdas/core/reports/report-history';
import { ReportService } from '../../lambdas/core/reports/report-service';

const publication = parsePublication(cdkJson.context.dispatch);
const now = new Date('2026-11-24T09:00:00Z');
const ines = { editorId: '01JD0000000000000000000001', editorName: 'Ines Varga' };
const omar = { editorId: '01JD0000000000000000000002' };
const input = (title: string) => ({
  title,
  summary: 'Summary.',
  body: 'One.\n\nTwo.\n\n<!-- paywall -->\n\nPaid.',
  tier: 'subscriber',
  series: 'grid-watch',
});

/** In memory, with the conditions of the DynamoDB store; `failNextWrite` makes the next report write fail. */
function fakeStore() {
  const reports = new Map<string, ReportRecord>();
  const claims = new Map<string, RevisionEntry & { writeId: string }>();
  const state = { failNextWrite: undefined as 'throw' | 'refuse' | undefined };
  const write = (record: ReportRecord, ok: boolean): boolean => {
    const failure = state.failNextWrite;
    state.failNextWrite = undefined;
    if (failure === 'throw') throw new Error('DynamoDB unavailable');
    if (failure === 'refuse' || !ok) return false;
    reports.set(record.id, record);
    return true;
  };
  const repository: ReportsRepository = {
    get: async (id) => reports.get(id),
    bySlug: async (slug) => [...reports.values()].find((record) => record.slug === slug),
    claimSlug: async () => true,
    releaseSlug: async () => undefined,
    create: async (record) => write(record, !reports.has(record.id)),
    replace: async (record, expected) => write(record, reports.get(record.id)?.revision === expected),
    putTagEntries: async () => undefined,
    deleteStaleTagEntries: async () => undefined,
    list: async () => ({ items: [] }),
    due: async () => [],
    claimRevision: async (entry, writeId, staleBefore) => {
      const key = `${entry.reportId}#${entry.revision}`;
      const held = claims.get(key);
      if (held && held.writeId !== writeId && Date.parse(held.at) >= staleBefore.getTime()) return false;
      claims.set(key, { ...entry, writeId });
      return true;
    },
    releaseRevision: async (reportId, revision, writeId) => {
      const key = `${reportId}#${revision}`;
      if (claims.get(key)?.writeId === writeId) claims.delete(key);
    },
    revisions: async (reportId) =>
      [...claims.values()]
        .filter((entry) => entry.reportId === reportId)
        .map(({ writeId: _writeId, ...entry }) => entry),
  };
  const vault: VaultStore = { put: async () => undefined, getJson: async () => ({}) as never };
  return { repository, state, claims, service: new ReportService(repository, vault, publication) };
}

describe('report history entries', () => {
  it('records a change only when the report write happened: a refused or failed write leaves no entry', async () => {
    const { service, state } = fakeStore();
    const { id } = await service.create(input('First'), now, '01JD00000000000000000000AA', ines);

    state.failNextWrite = 'refuse';
    await expect(service.update(id, input('Second'), undefined, now, omar)).rejects.toBeInstanceOf(StaleRevisionError);
    state.failNextWrite = 'throw';
    await expect(service.update(id, input('Second'), undefined, now, omar)).rejects.toThrow('DynamoDB unavailable');
    state.failNextWrite = 'throw';
    await expect(service.unpublish(id, now, omar)).rejects.toThrow('DynamoDB unavailable');

    expect((await service.history(id, 1)).map((entry) => [entry.revision, entry.action, entry.editorId])).toEqual([
      [1, 'created', ines.editorId],
    ]);
    await service.update(id, input('Second'), 1, now, omar);
    expect(await service.history(id, 2)).toEqual([
      { revision: 1, action: 'created', ...ines, at: now.toISOString() },
      { revision: 2, action: 'updated', ...omar, at: now.toISOString() },
    ]);
  });

  it('refuses a change while another holds the revision, and takes over a claim its writer abandoned', async () => {
    const { service, repository } = fakeStore();
    const { id } = await service.create(input('First'), now, '01JD00000000000000000000AB', ines);
    const held = { reportId: id, revision: 2, action: 'updated' as const, ...omar, at: now.toISOString() };
    await repository.claimRevision(held, 'someone-else', new Date(0));
    await expect(service.update(id, input('Mine'), 1, now, ines)).rejects.toBeInstanceOf(ConflictError);
    // A minute later the claim is the leftover of a writer that died between its two writes.
    const later = new Date(now.getTime() + 61_000);
    await service.update(id, input('Mine'), 1, later, ines);
    expect((await service.history(id, 2)).map((entry) => entry.editorId)).toEqual([ines.editorId, ines.editorId]);
  });

  it('never shows an entry for a revision the report has not reached', () => {
    const entry = (revision: number): RevisionEntry => ({
      reportId: 'r',
      revision,
      action: 'updated',
      editorId: 'e',
      at: now.toISOString(),
    });
    expect(shownHistory([entry(3), entry(1), entry(2)], 2).map((shown) => shown.revision)).toEqual([1, 2]);
  });
});
