import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../local/cli/csv';
import { UsageError } from '../../local/cli/errors';
import { readSubscriberCsv } from '../../local/cli/subscriber-csv';

describe('parseCsv', () => {
  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const records = parseCsv('email,name\n"a@example.org","Rell, ""Tom""\nsecond line"\nb@example.org,Vi\n');
    expect(records).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@example.org', 'Rell, "Tom"\nsecond line'] },
      { line: 4, fields: ['b@example.org', 'Vi'] },
    ]);
  });

  it('treats CRLF like LF and does not invent a record for the final line break', () => {
    expect(parseCsv('email,tier\r\na@example.org,paid\r\n')).toEqual([
      { line: 1, fields: ['email', 'tier'] },
      { line: 2, fields: ['a@example.org', 'paid'] },
    ]);
  });

  it('skips blank lines but keeps counting them', () => {
    expect(parseCsv('email\n\n\r\na@example.org\n').map((record) => record.line)).toEqual([1, 4]);
  });

  it('keeps empty fields', () => {
    expect(parseCsv('a,,c\n,\n')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 2, fields: ['', ''] },
    ]);
  });

  it('marks text after a closing quote as an error and carries on with the next record', () => {
    const records = parseCsv('"a@example.org"junk,paid\nb@example.org,free\n');
    expect(records[0]).toMatchObject({ line: 1, error: expect.stringMatching(/after a closing quote/) });
    expect(records[1]).toEqual({ line: 2, fields: ['b@example.org', 'free'] });
  });

  it('marks an unterminated quote with the line it opened on', () => {
    const records = parseCsv('email\n"a@example.org\nb@example.org\n');
    expect(records[1]).toMatchObject({ line: 2, error: 'unterminated quoted field (opened on line 2)' });
  });
});

describe('readSubscriberCsv', () => {
  it('reads rows with defaults for missing tier and status', () => {
    const { rows, rejected } = readSubscriberCsv('Email,Tier\r\na@example.org,PAID\r\nb@example.org,\r\n');
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      { line: 2, email: 'a@example.org', tier: 'paid', status: 'active' },
      { line: 3, email: 'b@example.org', tier: 'free', status: 'active' },
    ]);
  });

  it('rejects junk rows with their line and reason, and keeps the good ones', () => {
    const csv = [
      'email,tier,status',
      'a@example.org,paid,active',
      'not-an-email,free,active',
      'c@example.org,gold,active',
      'd@example.org,free',
      'A@example.org,free,active',
      'e@example.org,free,pending',
      '"f@example.org"x,free,active',
    ].join('\n');
    const { rows, rejected } = readSubscriberCsv(csv);
    expect(rows.map((row) => row.email)).toEqual(['a@example.org']);
    expect(rejected).toEqual([
      { line: 3, value: 'not-an-email', reason: 'not a valid email address' },
      { line: 4, value: 'c@example.org', reason: 'tier must be one of: free, paid (found "gold")' },
      { line: 5, value: 'd@example.org', reason: 'expected 3 field(s), found 2' },
      { line: 6, value: 'A@example.org', reason: 'duplicate of line 2' },
      { line: 7, value: 'e@example.org', reason: 'status must be one of: active, unsubscribed (found "pending")' },
      { line: 8, value: 'f@example.org', reason: expect.stringMatching(/after a closing quote/) },
    ]);
  });

  it('reads an optional series column: ids separated by ;, empty for every series', () => {
    const csv = [
      'email,series,tier',
      'a@example.org,grid-watch; harbour-ledger,paid',
      'b@example.org,,free',
      'c@example.org,Grid-Watch;grid-watch,free',
      'd@example.org,Grid Watch,free',
      'e@example.org,grid-watch;;harbour-ledger,free',
    ].join('\n');
    const { rows, rejected } = readSubscriberCsv(csv);
    expect(rows).toEqual([
      { line: 2, email: 'a@example.org', tier: 'paid', status: 'active', series: ['grid-watch', 'harbour-ledger'] },
      { line: 3, email: 'b@example.org', tier: 'free', status: 'active', series: null },
      { line: 4, email: 'c@example.org', tier: 'free', status: 'active', series: ['grid-watch'] },
    ]);
    expect(rejected).toEqual([
      { line: 5, value: 'd@example.org', reason: expect.stringMatching(/^series: "grid watch" is not a series id/) },
      { line: 6, value: 'e@example.org', reason: expect.stringMatching(/^series: an empty id in/) },
    ]);
  });

  it('rejects a row naming a series the configuration lacks, when the reader knows the configuration', () => {
    const csv = 'email,series\na@example.org,grid-watch\nb@example.org,grid-watch;reef-watch\n';
    const { rows, rejected } = readSubscriberCsv(csv, { knownSeries: ['grid-watch', 'harbour-ledger'] });
    expect(rows.map((row) => row.email)).toEqual(['a@example.org']);
    expect(rejected).toEqual([
      {
        line: 3,
        value: 'b@example.org',
        reason: 'series: unknown series "reef-watch"; configured: grid-watch, harbour-ledger',
      },
    ]);
    // Without the configuration the API decides (and rejects the row when it answers 422).
    expect(readSubscriberCsv(csv).rows).toHaveLength(2);
  });

  it('leaves series out of rows of a file without the column, so an import keeps what readers chose', () => {
    expect(readSubscriberCsv('email\na@example.org\n').rows[0]).not.toHaveProperty('series');
  });

  it('refuses a file whose first row is data, not a header', () => {
    expect(() => readSubscriberCsv('a@example.org,paid\n')).toThrow(/line 1 looks like data: add a header row/);
  });

  it('refuses a header without an email column', () => {
    expect(() => readSubscriberCsv('address,tier\n')).toThrow(UsageError);
    expect(() => readSubscriberCsv('address,tier\n')).toThrow(/no `email` column/);
  });

  it('refuses unknown columns, because a misspelt tier column would import paid readers as free', () => {
    expect(() => readSubscriberCsv('email,teir\na@example.org,paid\n')).toThrow(/unknown column\(s\) teir/);
  });

  it('refuses an empty file', () => {
    expect(() => readSubscriberCsv('\n\n')).toThrow(/empty/);
  });
});
