import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import { parseReportInput, prepareReport, type Identity } from '../../lambdas/core/reports/intake';
import { parsePublication } from '../../lambdas/core/shared/publication';
import type { ReportRecord } from '../../lambdas/core/reports/report';
import { indexKeys } from '../../lambdas/core/reports/report-lifecycle';
import { publicView } from '../../lambdas/core/paywall/tiers';

/** Issue 10, item 2: a dateline apart from go-live, plain dates in every date field, and `mail: false`. */
const publication = parsePublication(cdkJson.context.dispatch);
const NOW = new Date('2026-11-24T12:00:00.000Z');
const identity: Identity = {
  id: '01JTESTREPORT0000000000000',
  slug: 'a-report',
  revision: 1,
  createdAt: NOW.toISOString(),
};
const base = {
  title: 'Kestrel Valley outages',
  summary: 'Three outages in nine days.',
  body: 'One.\n\nTwo.\n\n<!-- paywall -->\n\nThree, for subscribers.',
  tier: 'subscriber',
  series: 'grid-watch',
};

function parse(raw: Record<string, unknown>) {
  return parseReportInput({ ...base, ...raw }, publication);
}

function prepared(raw: Record<string, unknown>, at: Date = NOW, who: Identity = identity): ReportRecord {
  const parsed = parse(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problem));
  return prepareReport(parsed.input, who, publication, at).record;
}

const fieldsOf = (raw: Record<string, unknown>) => {
  const parsed = parse(raw);
  return parsed.ok ? [] : parsed.problem.kind === 'invalid' ? parsed.problem.fields.map((f) => f.field) : ['?'];
};

describe('date fields', () => {
  it('take a plain date or a full timestamp: publishAt, dateline and freeAfter alike', () => {
    for (const field of ['publishAt', 'dateline', 'freeAfter']) {
      expect(fieldsOf({ [field]: '2026-12-24' }), field).toEqual([]);
      expect(fieldsOf({ [field]: '2026-12-24T09:00:00+01:00' }), field).toEqual([]);
    }
  });

  it('refuse what is not a date, and calendar days that do not exist', () => {
    for (const field of ['publishAt', 'dateline']) {
      expect(fieldsOf({ [field]: 'next tuesday' }), field).toEqual([field]);
      expect(fieldsOf({ [field]: '2023-02-30' }), field).toEqual([field]);
      expect(fieldsOf({ [field]: '2023-10-30T25:00:00Z' }), field).toEqual([field]);
    }
  });

  it('reads a plain publishAt as midnight UTC of that day: a future one schedules the report', () => {
    const record = prepared({ publishAt: '2026-12-24' });
    expect(record.publishAt).toBe('2026-12-24T00:00:00.000Z');
    expect(indexKeys(record, NOW).listing).toBeUndefined();
    expect(indexKeys(record, NOW).dueAt).toBe('2026-12-24T00:00:00.000Z');
  });
});

describe('dateline', () => {
  it('keeps a plain date as the calendar day the editor wrote, apart from go-live', () => {
    const record = prepared({ dateline: '2023-10-30' });
    expect(record.dateline).toBe('2023-10-30');
    expect(record.publishAt).toBe(NOW.toISOString());
    expect(publicView(record, publication)).toMatchObject({ dateline: '2023-10-30', publishAt: NOW.toISOString() });
  });

  it('stores a dateline with a time in UTC', () => {
    expect(prepared({ dateline: '2023-10-30T09:15:00+02:00' }).dateline).toBe('2023-10-30T07:15:00.000Z');
  });

  it('defaults to publishAt', () => {
    const record = prepared({ publishAt: '2026-11-20T08:00:00Z' });
    expect(record.dateline).toBeUndefined();
    expect(publicView(record, publication).dateline).toBe('2026-11-20T08:00:00.000Z');
  });
});

describe('go-live', () => {
  it('is intake time for a publishAt in the past, so the report still goes in the next edition', () => {
    const record = prepared({ publishAt: '2023-10-30' });
    expect(record.publishAt).toBe('2023-10-30T00:00:00.000Z');
    expect(record.liveAt).toBe(NOW.toISOString());
    expect(indexKeys(record, NOW).sortKey).toBe(`${NOW.toISOString()}#${identity.id}`);
    // Readers still see the date the editor gave, and feeds order the report by when it appeared.
    expect(publicView(record, publication)).toMatchObject({
      dateline: '2023-10-30T00:00:00.000Z',
      publishAt: NOW.toISOString(),
    });
  });

  it('is publishAt for a scheduled report', () => {
    expect(prepared({ publishAt: '2026-12-01T09:00:00Z' }).liveAt).toBe('2026-12-01T09:00:00.000Z');
  });

  it('still releases a back-dated report at intake when freeAfter, counted from publishAt, has passed', () => {
    const record = prepared({ publishAt: '2025-01-01T00:00:00Z', freeAfter: 'P30D' });
    expect(record.freeAt).toBe('2025-01-31T00:00:00.000Z');
    expect(record.released).toBe(true);
  });

  it('counts a freeAfter duration from go-live for a report submitted with a past dateline', () => {
    expect(prepared({ dateline: '2023-10-30', freeAfter: 'P30D' }).freeAt).toBe('2026-12-24T12:00:00.000Z');
  });

  it('does not move when a live report is corrected, whatever publishAt the correction repeats', () => {
    const first = prepared({ publishAt: '2023-10-30' });
    const later = new Date('2026-11-26T12:00:00.000Z');
    const correction: Identity = {
      ...identity,
      revision: 2,
      previousPublishAt: first.publishAt,
      ...(first.liveAt ? { previousLiveAt: first.liveAt } : {}),
    };
    expect(prepared({ publishAt: '2023-10-30' }, later, correction).liveAt).toBe(first.liveAt);
    expect(prepared({}, later, correction).liveAt).toBe(first.liveAt);
  });

  it('follows a scheduled report that is rescheduled before it went live', () => {
    const first = prepared({ publishAt: '2026-12-01T09:00:00Z' });
    const correction: Identity = {
      ...identity,
      revision: 2,
      previousPublishAt: first.publishAt,
      ...(first.liveAt ? { previousLiveAt: first.liveAt } : {}),
    };
    expect(prepared({ publishAt: '2026-12-03T09:00:00Z' }, NOW, correction).liveAt).toBe('2026-12-03T09:00:00.000Z');
  });
});

describe('mail', () => {
  it('is stored only when the editor turns it off, for archive imports', () => {
    expect(prepared({ mail: false }).mail).toBe(false);
    expect(prepared({}).mail).toBeUndefined();
    expect(prepared({ mail: true }).mail).toBeUndefined();
  });

  it('must be true or false', () => {
    expect(fieldsOf({ mail: 'no' })).toEqual(['mail']);
  });

  it('is kept, with the dateline, by a correction that leaves them out', () => {
    const first = prepared({ mail: false, dateline: '2023-10-30' });
    const correction: Identity = {
      ...identity,
      revision: 2,
      previousPublishAt: first.publishAt,
      ...(first.liveAt ? { previousLiveAt: first.liveAt } : {}),
      ...(first.dateline ? { previousDateline: first.dateline } : {}),
      ...(first.mail === false ? { previousMail: false } : {}),
    };
    const corrected = prepared({}, NOW, correction);
    expect(corrected.mail).toBe(false);
    expect(corrected.dateline).toBe('2023-10-30');
    expect(prepared({ mail: true, dateline: '2023-11-01' }, NOW, correction)).toMatchObject({ dateline: '2023-11-01' });
    expect(prepared({ mail: true }, NOW, correction).mail).toBeUndefined();
  });
});
