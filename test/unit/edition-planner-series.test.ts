import { describe, expect, it } from 'vitest';
import type { CompiledEdition, CompiledEditionRef } from '../../lambdas/core/digest/compiled-edition';
import {
  EditionPlanner,
  type EditionsRepository,
  type EditionSources,
  type FanOut,
} from '../../lambdas/core/digest/edition-planner';
import {
  editionProgress,
  newEdition,
  type EditionCounter,
  type EditionRecord,
  type EditionStatus,
} from '../../lambdas/core/digest/edition';
import type { DeliveryRecord, DeliveryStatus } from '../../lambdas/core/digest/deliveries';
import type { MailMessage } from '../../lambdas/core/digest/queue-messages';
import type { ReaderOfEdition } from '../../lambdas/core/digest/series-combination';
import { personalise } from '../../lambdas/core/digest/personalise';
import { compileEdition, mjmlCompileCount } from '../../lambdas/render/digest-renderer';
import {
  complimentaryRecord,
  publication,
  releasedRecord,
  subscriberPaidPart,
  subscriberRecord,
} from '../fixtures/digest-edition';

/**
 * Issue 16 item 2, digest side: the planner groups readers by the combination of the edition's series they
 * receive, compiles each combination once per tier before queuing messages that name it, and counts readers
 * with no series of the edition so the edition still completes. Real MJML; the tables are in memory.
 */
const NOW = new Date('2026-11-24T07:00:00.000Z');
const BOTH = 'power-lines.sea-lanes';
// Power Lines (series A): the complimentary and the subscriber report; Sea Lanes (series B): the released one.
const REPORTS = [complimentaryRecord, subscriberRecord, releasedRecord];

/** The digests table's planning rules, in memory (conditions as editions-store.ts writes them). */
class MemoryEditions implements Omit<EditionsRepository, 'advanceHead' | 'claimWindow' | 'createEdition'> {
  edition: EditionRecord;
  readonly deliveries = new Map<string, DeliveryRecord>();

  constructor() {
    this.edition = newEdition({
      id: 'ed-1',
      trigger: 'manual',
      window: { start: '2026-09-01T00:00:00.000Z', end: NOW.toISOString() },
      reportIds: REPORTS.map((report) => report.id),
      now: NOW,
    });
  }
  async head() {
    return undefined;
  }
  async getEdition() {
    return this.edition;
  }
  async markCompiled() {
    this.edition = { ...this.edition, compiledAt: NOW.toISOString() };
  }
  async markSeriesCompiled(_id: string, entry: string) {
    this.edition = { ...this.edition, compiledSeries: [...(this.edition.compiledSeries ?? []), entry] };
  }
  async recordPlannedPage(_id: string, page: number, next: string | undefined, count: number, _at: Date, noSeries = 0) {
    if (this.edition.planPage !== page || this.edition.status !== 'planning') return false;
    const { planCursor: _planCursor, ...rest } = this.edition;
    this.edition = {
      ...rest,
      planPage: page + 1,
      queued: this.edition.queued + count,
      noSeries: (this.edition.noSeries ?? 0) + noSeries,
      ...(next ? { planCursor: next } : { plannedAll: true }),
    };
    return true;
  }
  async finishPlanning() {
    if (this.edition.status !== 'planning') return undefined;
    this.edition = { ...this.edition, status: 'sending', recipients: this.edition.queued };
    return this.edition;
  }
  async count(_id: string, counters: Partial<Record<EditionCounter, number>>) {
    const next: Record<string, unknown> = { ...this.edition };
    for (const [counter, by] of Object.entries(counters)) next[counter] = ((next[counter] as number) ?? 0) + by;
    this.edition = next as unknown as EditionRecord;
    return this.edition;
  }
  async setStatus(_id: string, from: readonly EditionStatus[], to: EditionStatus, _at: Date, reason?: string) {
    if (!from.includes(this.edition.status)) return undefined;
    this.edition = { ...this.edition, status: to, ...(reason ? { reason } : {}) };
    return this.edition;
  }
  async deliveriesWithStatus(_id: string, status: DeliveryStatus) {
    return [...this.deliveries]
      .filter(([, record]) => record.status === status)
      .map(([key, record]) => ({ key, record }));
  }
  async reopenDelivery(_id: string, key: string, status: DeliveryStatus) {
    const record = this.deliveries.get(key);
    if (record?.status !== status) return false;
    this.deliveries.delete(key);
    return true;
  }
  async addReports() {}

  /** What the resume transition writes (editions-store.ts `resume`). */
  resume() {
    const { compiledAt: _compiledAt, ...rest } = this.edition;
    this.edition = { ...rest, status: 'planning', compileVersion: (this.edition.compileVersion ?? 0) + 1 };
  }
}

const sources: EditionSources = {
  inWindow: async () => REPORTS,
  earliestUnlistedPublication: async () => undefined,
  paidPart: async () => subscriberPaidPart,
  reportsByIds: async (ids) => REPORTS.filter((report) => ids.includes(report.id)),
};

class MemoryCompiled {
  readonly stored = new Map<string, CompiledEdition>();
  async put(ref: CompiledEditionRef, compiled: CompiledEdition) {
    this.stored.set(refKey(ref), compiled);
  }
  get(ref: CompiledEditionRef): CompiledEdition {
    const compiled = this.stored.get(refKey(ref));
    if (!compiled) throw new Error(`nothing stored for ${refKey(ref)}`);
    return compiled;
  }
}
const refKey = (ref: CompiledEditionRef) => `${ref.version}/${ref.series ?? 'whole'}/${ref.tier}`;

function fanOut(readers: ReaderOfEdition[], queued: MailMessage[]): FanOut {
  return {
    recipients: {
      activePage: async () => ({ readers }),
      readers: async (emails) => readers.filter((reader) => emails.includes(reader.email)),
    },
    mailQueue: { sendAll: async (messages) => void queued.push(...messages) },
  };
}

function setUp() {
  const editions = new MemoryEditions();
  const compiled = new MemoryCompiled();
  const planner = new EditionPlanner(
    editions as unknown as EditionsRepository,
    sources,
    compiled,
    compileEdition,
    publication,
  );
  return { editions, compiled, planner };
}

const THREE_READERS: ReaderOfEdition[] = [
  { email: 'all@example.org' },
  { email: 'a@example.org', series: ['power-lines'] },
  { email: 'none@example.org', series: [] },
];

const LINKS = {
  unsubscribeUrl: 'https://lantern.example.net/unsubscribe?token=u',
  manageUrl: 'https://lantern.example.net/api/subscribers/manage?token=m',
  feedUrl: 'https://lantern.example.net/feeds/private/f.xml',
};

describe('planning an edition by series combination', () => {
  it('runs MJML once per tier and combination in use, never per reader', async () => {
    const { planner } = setUp();
    const readers: ReaderOfEdition[] = [
      ...THREE_READERS,
      { email: 'both@example.org', series: ['sea-lanes', 'power-lines'] },
      { email: 'a2@example.org', series: ['power-lines'] },
    ];
    const before = mjmlCompileCount();
    await planner.plan('ed-1', fanOut(readers, []), () => NOW);
    // 2 tiers × 2 combinations (both series; Power Lines only); the five readers add nothing.
    expect(mjmlCompileCount() - before).toBe(4);
  });

  it('queues each reader with their combination and counts the reader with none, so the edition completes', async () => {
    const { planner, editions, compiled } = setUp();
    const queued: MailMessage[] = [];
    await planner.plan('ed-1', fanOut(THREE_READERS, queued), () => NOW);

    expect(queued).toEqual([
      { editionId: 'ed-1', emails: ['all@example.org'], series: BOTH },
      { editionId: 'ed-1', emails: ['a@example.org'], series: 'power-lines' },
    ]);
    expect(editions.edition).toMatchObject({ status: 'sending', recipients: 3, noSeries: 1 });
    expect(editionProgress(editions.edition).noSeries).toBe(1);
    expect([...compiled.stored.keys()].sort()).toEqual([
      `0/${BOTH}/free`,
      `0/${BOTH}/paid`,
      '0/power-lines/free',
      '0/power-lines/paid',
    ]);
  });

  it('gives a combination only the reports of its series, in both tiers, with the manage link', async () => {
    const { planner, compiled } = setUp();
    await planner.plan('ed-1', fanOut(THREE_READERS, []), () => NOW);
    for (const tier of ['free', 'paid'] as const) {
      const onlyA = personalise(compiled.get({ editionId: 'ed-1', version: 0, tier, series: 'power-lines' }), LINKS);
      const both = personalise(compiled.get({ editionId: 'ed-1', version: 0, tier, series: BOTH }), LINKS);
      expect(onlyA.text).toContain('Outage logs go public');
      expect(onlyA.text).not.toContain('The port strike ended quietly');
      expect(both.text).toContain('The port strike ended quietly');
      for (const mail of [onlyA, both]) {
        expect(mail.html).toContain(`href="${LINKS.manageUrl}"`);
        expect(mail.html).toContain('Choose your series or unsubscribe');
        expect(mail.text).toContain(LINKS.manageUrl);
        expect(mail.text).toMatch(/choose your series or unsubscribe/i);
      }
    }
  });

  it('completes an edition none of whose readers receive its series, queuing nothing and compiling nothing', async () => {
    const { planner, compiled } = setUp();
    const queued: MailMessage[] = [];
    const result = await planner.plan('ed-1', fanOut([{ email: 'none@example.org', series: [] }], queued), () => NOW);
    expect(queued).toEqual([]);
    expect(compiled.stored.size).toBe(0);
    expect(result).toMatchObject({ status: 'sent', recipients: 1, noSeries: 1 });
  });

  it('compiles nothing twice when planning runs again', async () => {
    const { planner, editions } = setUp();
    await planner.plan('ed-1', fanOut(THREE_READERS, []), () => NOW);
    editions.edition = { ...editions.edition, status: 'planning', plannedAll: false, planPage: 1 };
    const before = mjmlCompileCount();
    await planner.plan('ed-1', fanOut([{ email: 'b@example.org' }], []), () => NOW);
    expect(mjmlCompileCount() - before).toBe(0);
  });
});

describe('reopening readers', () => {
  it('after a resume, compiles again every combination queued before the pause and requeues the deferred readers with their current series', async () => {
    const { planner, editions, compiled } = setUp();
    await planner.plan('ed-1', fanOut(THREE_READERS, []), () => NOW);
    // The pause deferred two readers; one of them has since dropped Sea Lanes, the other every series.
    editions.edition = { ...editions.edition, status: 'paused' };
    editions.deliveries.set('d-all', { status: 'deferred', email: 'all@example.org', claimId: 'c', claimedAt: '' });
    editions.deliveries.set('d-gone', { status: 'deferred', email: 'gone@example.org', claimId: 'c', claimedAt: '' });
    editions.resume();
    const now: ReaderOfEdition[] = [
      { email: 'all@example.org', series: ['power-lines'] },
      { email: 'gone@example.org', series: [] },
    ];
    const queued: MailMessage[] = [];
    await planner.plan('ed-1', fanOut(now, queued), () => NOW);

    // Messages still in the queue name either combination of version 0; the sender loads version 1.
    expect(compiled.get({ editionId: 'ed-1', version: 1, tier: 'free', series: BOTH })).toBeDefined();
    expect(compiled.get({ editionId: 'ed-1', version: 1, tier: 'paid', series: 'power-lines' })).toBeDefined();
    expect(queued).toEqual([{ editionId: 'ed-1', emails: ['all@example.org'], series: 'power-lines' }]);
    // none@ at planning, gone@ now: neither is mailed, both are accounted for.
    expect(editions.edition.noSeries).toBe(2);
  });

  it('after a resume of an edition planned before series choices, compiles the whole edition again for messages without a combination', async () => {
    const { planner, editions, compiled } = setUp();
    editions.edition = { ...editions.edition, status: 'paused', planPage: 1, compiledAt: NOW.toISOString() };
    editions.resume();
    await planner.plan('ed-1', fanOut([], []), () => NOW);
    expect(compiled.get({ editionId: 'ed-1', version: 1, tier: 'free' }).series).toBeUndefined();
    expect(compiled.get({ editionId: 'ed-1', version: 1, tier: 'paid' }).reportIds).toHaveLength(3);
  });

  it('retries an unknown reader with the combination their series give now, compiled for the current version', async () => {
    const { planner, editions, compiled } = setUp();
    await planner.plan('ed-1', fanOut([{ email: 'all@example.org' }], []), () => NOW);
    editions.deliveries.set('d-all', { status: 'unknown', email: 'all@example.org', claimId: 'c', claimedAt: '' });
    editions.edition = { ...editions.edition, status: 'sent-with-gaps', unknown: 1 };
    const queued: MailMessage[] = [];
    await planner.retryUnknown(
      'ed-1',
      fanOut([{ email: 'all@example.org', series: ['sea-lanes'] }], queued),
      () => NOW,
    );
    expect(queued).toEqual([{ editionId: 'ed-1', emails: ['all@example.org'], series: 'sea-lanes' }]);
    expect(compiled.get({ editionId: 'ed-1', version: 0, tier: 'free', series: 'sea-lanes' }).reportIds).toEqual([
      releasedRecord.id,
    ]);
    expect(editions.edition).toMatchObject({ status: 'sending', unknown: 0 });
  });
});
