import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import {
  EditionPlanner,
  type EditionSources,
  type EditionsRepository,
  type WindowClaimInput,
} from '../../lambdas/core/digest/edition-planner';
import { editionProgress, newEdition, type EditionRecord } from '../../lambdas/core/digest/edition';
import { isEmptyWindow, nextWindow, type EditionWindow } from '../../lambdas/core/digest/edition-windows';
import { parseReportInput, prepareReport } from '../../lambdas/core/reports/intake';
import { parsePublication, type Publication } from '../../lambdas/core/shared/publication';
import type { ReportRecord } from '../../lambdas/core/reports/report';
import { indexKeys } from '../../lambdas/core/reports/report-lifecycle';

/** Issue 10, items 1 and 2: every report that goes live is in exactly one edition, unless it is `mail: false`. */
const NOW = new Date('2026-11-24T12:00:00.000Z');
const publication = parsePublication(cdkJson.context.dispatch);
const withCap = (maxReports: number): Publication =>
  parsePublication({
    ...cdkJson.context.dispatch,
    digest: { ...cdkJson.context.dispatch.digest, maxReports },
  });

/** The digests table's window rules, in memory: one claim per window start, a head that only moves forward. */
class MemoryEditions implements Pick<
  EditionsRepository,
  'head' | 'advanceHead' | 'claimWindow' | 'createEdition' | 'getEdition'
> {
  readonly editions = new Map<string, EditionRecord>();
  private readonly claims = new Map<string, WindowClaimInput>();
  private last: { windowEnd: string; editionId: string } | undefined;

  async head() {
    return this.last;
  }
  async advanceHead(window: EditionWindow, editionId: string) {
    if (!this.last || this.last.windowEnd < window.end) this.last = { windowEnd: window.end, editionId };
  }
  async claimWindow(claim: WindowClaimInput) {
    const existing = this.claims.get(claim.windowStart);
    if (existing) return { claimed: false as const, existing };
    this.claims.set(claim.windowStart, claim);
    return { claimed: true as const };
  }
  async createEdition(edition: EditionRecord) {
    if (this.editions.has(edition.id)) return false;
    this.editions.set(edition.id, edition);
    return true;
  }
  async getEdition(id: string) {
    return this.editions.get(id);
  }
}

/**
 * The reports table as the planner's port promises it: the window's live reports that may be mailed, by
 * listing key (the store's `sortKey`), oldest first, at most `limit`.
 */
function memorySources(records: readonly ReportRecord[], listedAt: Date = NOW): EditionSources {
  const keyed = records
    .map((record) => ({ record, keys: indexKeys(record, listedAt) }))
    .filter(({ keys }) => keys.listing === 'public')
    .sort((a, b) => (a.keys.sortKey < b.keys.sortKey ? -1 : 1));
  return {
    reportsByIds: async (ids) => records.filter((record) => ids.includes(record.id)),
    inWindow: async (window, limit) =>
      keyed
        .filter(({ keys }) => keys.sortKey >= window.start && keys.sortKey <= window.end)
        .filter(({ record }) => record.mail !== false)
        .slice(0, limit)
        .map(({ record }) => record),
    earliestUnlistedPublication: async () => undefined,
    paidPart: async () => {
      throw new Error('no paid parts in these tests');
    },
  };
}

function planner(records: readonly ReportRecord[], pub: Publication = publication) {
  const editions = new MemoryEditions();
  const compile = async () => {
    throw new Error('window tests never compile');
  };
  return {
    editions,
    planner: new EditionPlanner(
      editions as unknown as EditionsRepository,
      memorySources(records),
      { put: async () => undefined },
      compile,
      pub,
    ),
  };
}

/** Creates editions at `end` until the window is empty; returns each edition's report ids. */
async function drainEditions(subject: EditionPlanner, end: Date = NOW): Promise<string[][]> {
  const editions: string[][] = [];
  for (let round = 0; round < 20; round += 1) {
    const outcome = await subject.create(end, 'manual', end);
    if (outcome.kind === 'empty') return editions;
    expect(outcome.kind).toBe('created');
    editions.push(outcome.edition.reportIds);
  }
  throw new Error('editions never ran out');
}

const id = (n: number) => `01JTEST${String(n).padStart(19, '0')}`;

function record(n: number, overrides: Partial<ReportRecord> = {}): ReportRecord {
  const publishAt = new Date(Date.parse('2026-11-24T09:00:00.000Z') + n * 60_000).toISOString();
  return {
    id: id(n),
    slug: `report-${n}`,
    revision: 1,
    createdAt: publishAt,
    updatedAt: publishAt,
    title: `Report ${n}`,
    summary: 'A summary.',
    tier: 'complimentary',
    series: 'grid-watch',
    tags: [],
    authors: [],
    publishAt,
    state: 'live',
    released: false,
    publicHtml: '<p>Body.</p>',
    sourceRef: `source/${n}.json`,
    fingerprints: [],
    ...overrides,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('the edition cap', () => {
  it('mails the oldest 30 of 35 reports and leaves the 5 newest to the next edition', async () => {
    const { planner: subject } = planner(range(1, 35).map((n) => record(n)));
    expect(await drainEditions(subject)).toEqual([range(1, 30).map(id), range(31, 35).map(id)]);
  });

  it('splits 68 reports into editions of 30, 30 and 8, none skipped and none twice', async () => {
    const { planner: subject } = planner(range(1, 68).map((n) => record(n)));
    const editions = await drainEditions(subject);
    expect(editions.map((ids) => ids.length)).toEqual([30, 30, 8]);
    expect(editions.flat()).toEqual(range(1, 68).map(id));
  });

  it('takes its cap from the publication settings (digest.maxReports)', async () => {
    const { planner: subject } = planner(
      range(1, 7).map((n) => record(n)),
      withCap(3),
    );
    expect(await drainEditions(subject)).toEqual([range(1, 3).map(id), range(4, 6).map(id), [id(7)]]);
  });

  it('defaults the cap to 30 when the settings leave it out', () => {
    expect(publication.digest.maxReports).toBe(30);
  });

  it('starts the next window right after the last report an edition took, not at the end of the first window', async () => {
    const { planner: subject, editions } = planner(range(1, 35).map((n) => record(n)));
    await drainEditions(subject);
    const [first, second] = [...editions.editions.values()];
    const key = (n: number) => indexKeys(record(n), NOW).sortKey;
    const end = first?.windowEnd ?? '';
    expect(end > key(30) && end < key(31)).toBe(true);
    expect(second?.windowStart).toBe(first?.windowEnd);
    expect(second?.windowEnd).toBe(NOW.toISOString());
  });

  it('splits reports that go live at the same instant by id, so a tie never loses one', async () => {
    const sameTime = '2026-11-24T10:00:00.000Z';
    const tied = range(1, 5).map((n) => record(n, { publishAt: sameTime, createdAt: sameTime }));
    const { planner: subject } = planner(tied, withCap(2));
    expect(await drainEditions(subject)).toEqual([[id(1), id(2)], [id(3), id(4)], [id(5)]]);
  });

  it('lists the report ids an edition covers in its progress', async () => {
    const { planner: subject } = planner([record(1), record(2)]);
    const outcome = await subject.create(NOW, 'manual', NOW);
    if (outcome.kind === 'empty') throw new Error('expected an edition');
    expect(editionProgress(outcome.edition)).toMatchObject({ reports: 2, reportIds: [id(1), id(2)] });
  });
});

describe('mail: false', () => {
  it('skips archive imports without counting them toward the cap, and the window moves past them', async () => {
    const records = range(1, 9).map((n) => record(n, n % 3 === 0 ? { mail: false } : {}));
    const { planner: subject } = planner(records, withCap(4));
    const editions = await drainEditions(subject);
    expect(editions).toEqual([
      [id(1), id(2), id(4), id(5)],
      [id(7), id(8)],
    ]);
    expect(await drainEditions(subject, new Date(NOW.getTime() + 3_600_000))).toEqual([]);
  });

  it('makes no edition of a window holding only mail: false reports', async () => {
    const { planner: subject } = planner([record(1, { mail: false }), record(2, { mail: false })]);
    expect((await subject.create(NOW, 'manual', NOW)).kind).toBe('empty');
  });
});

describe('datelines and go-live', () => {
  const base = {
    title: 'Halvard cable survey',
    summary: 'A survey.',
    body: 'One.\n\nTwo.',
    tier: 'complimentary',
    series: 'grid-watch',
  };
  const submitted = (raw: Record<string, unknown>, n: number, at: Date): ReportRecord => {
    const parsed = parseReportInput({ ...base, ...raw }, publication);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problem));
    return prepareReport(
      parsed.input,
      { id: id(n), slug: `s-${n}`, revision: 1, createdAt: at.toISOString() },
      publication,
      at,
    ).record;
  };

  /** A week of editions has gone out already; the next one covers everything submitted since. */
  async function nextEditionAfterLastWeek(records: ReportRecord[]): Promise<string[]> {
    const { planner: subject, editions } = planner(records);
    await editions.advanceHead({ start: '', end: '2026-11-24T07:00:00.000Z' }, 'last-week');
    const outcome = await subject.create(NOW, 'manual', NOW);
    return outcome.kind === 'empty' ? [] : outcome.edition.reportIds;
  }

  it('mails a report dated 30 October 2023 and submitted today in the next edition', async () => {
    const dated = submitted({ dateline: '2023-10-30' }, 1, new Date('2026-11-24T11:00:00.000Z'));
    expect(await nextEditionAfterLastWeek([dated])).toEqual([id(1)]);
  });

  it('mails a report whose publishAt lies in the past when it is submitted, in the next edition', async () => {
    const backDated = submitted({ publishAt: '2023-10-30T08:00:00Z' }, 2, new Date('2026-11-24T11:00:00.000Z'));
    expect(await nextEditionAfterLastWeek([backDated])).toEqual([id(2)]);
  });

  it('does not mail a corrected report again: a correction keeps the time it went live', async () => {
    const first = submitted({}, 3, new Date('2026-11-24T08:00:00.000Z'));
    const { planner: subject, editions } = planner([first]);
    expect(await drainEditions(subject, new Date('2026-11-24T09:00:00.000Z'))).toEqual([[id(3)]]);

    const parsed = parseReportInput({ ...base, title: 'Halvard cable survey, corrected' }, publication);
    if (!parsed.ok) throw new Error('invalid');
    const corrected = prepareReport(
      parsed.input,
      {
        id: id(3),
        slug: 's-3',
        revision: 2,
        createdAt: first.createdAt,
        previousPublishAt: first.publishAt,
        ...(first.liveAt ? { previousLiveAt: first.liveAt } : {}),
      },
      publication,
      NOW,
    ).record;
    expect(indexKeys(corrected, NOW).sortKey).toBe(indexKeys(first, NOW).sortKey);
    const again = new EditionPlanner(
      editions as unknown as EditionsRepository,
      memorySources([corrected]),
      { put: async () => undefined },
      async () => {
        throw new Error('never compiled');
      },
      publication,
    );
    expect((await again.create(NOW, 'manual', NOW)).kind).toBe('empty');
  });
});

describe('window ends after a report', () => {
  const key = '2026-11-24T09:30:00.000Z#01JTEST0000000000000000030';
  it('chains: the next window starts at that end', () => {
    expect(nextWindow(`${key}~`, NOW)).toEqual({ start: `${key}~`, end: NOW.toISOString() });
  });

  it('is empty when the next trigger closes at or before the last report taken', () => {
    expect(isEmptyWindow(nextWindow(`${key}~`, new Date('2026-11-24T09:30:00.000Z')))).toBe(true);
    expect(isEmptyWindow(nextWindow(`${key}~`, new Date('2026-11-24T09:00:00.000Z')))).toBe(true);
  });

  it('keeps a new edition readable when its window ends after a report', () => {
    const edition = newEdition({
      id: 'E2',
      trigger: 'manual',
      window: { start: '2026-11-24T07:00:00.000Z', end: `${key}~` },
      reportIds: ['a'],
      now: NOW,
    });
    expect(editionProgress(edition).window).toEqual({ start: '2026-11-24T07:00:00.000Z', end: `${key}~` });
  });
});
