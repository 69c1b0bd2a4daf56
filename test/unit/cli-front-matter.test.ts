import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrontMatterError, splitFrontMatter, toSubmission } from '../../local/cli/front-matter';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('splitFrontMatter', () => {
  it('reads the fields and keeps the Markdown body as written', () => {
    const { data, body } = splitFrontMatter(fixture('report-subscriber.md'));
    expect(data).toMatchObject({
      title: 'Substation outages ripple through the Kestrel Valley network',
      tier: 'subscriber',
      series: 'grid-watch',
      tags: ['outages', 'transmission', 'kestrel-valley'],
      leadImage: { alt: expect.stringContaining('substation') },
      freeAfter: 'P30D',
    });
    expect(body.trimStart().startsWith('The Kestrel Valley transmission operator')).toBe(true);
    expect(body).toContain('<!-- paywall -->');
    expect(body).toContain('[^2]: Kestrel Valley Transmission');
  });

  it('keeps dates as the strings the schema validates, not Date objects', () => {
    const { data } = splitFrontMatter('---\npublishAt: 2026-11-24T09:00:00Z\nfreeAfter: 2026-12-31\n---\nText\n');
    expect(data).toEqual({ publishAt: '2026-11-24T09:00:00Z', freeAfter: '2026-12-31' });
  });

  it('passes a plain-date dateline and mail: false through for the API to validate', () => {
    const document = splitFrontMatter(
      '---\ntitle: A\ndateline: 2023-10-30\npublishAt: 2026-12-24\nmail: false\n---\nText\n',
    );
    expect(toSubmission(document).input).toEqual({
      title: 'A',
      dateline: '2023-10-30',
      publishAt: '2026-12-24',
      mail: false,
      body: 'Text\n',
    });
  });

  it('accepts CRLF line endings and a byte order mark', () => {
    const { data, body } = splitFrontMatter('\uFEFF---\r\ntitle: A\r\n---\r\nBody\r\n');
    expect(data).toEqual({ title: 'A' });
    expect(body).toBe('Body\r\n');
  });

  it('says on which file line the body starts, whatever the line endings', () => {
    expect(splitFrontMatter('---\ntitle: A\ntier: x\n---\nBody\n').bodyLine).toBe(5);
    expect(splitFrontMatter('\uFEFF---\r\ntitle: A\r\n---\r\nBody\r\n').bodyLine).toBe(4);
    expect(splitFrontMatter('---\n---\n').bodyLine).toBe(3);
  });

  it('refuses a file without front matter, saying what the shape should be', () => {
    expect(() => splitFrontMatter('# Just Markdown\n\nText.\n')).toThrow(FrontMatterError);
    expect(() => splitFrontMatter('# Just Markdown\n')).toThrow(/no front matter: a report starts with a `---` line/);
  });

  it('refuses front matter that is never closed', () => {
    expect(() => splitFrontMatter('---\ntitle: A\n\nBody text\n')).toThrow(/never closed/);
  });

  it('names the file line of a YAML error', () => {
    const source = '---\ntitle: A\ncaption: Photo: Grid Watch\n---\nBody\n';
    expect(() => splitFrontMatter(source)).toThrow(/^front matter line 3: /);
  });

  it('refuses duplicate keys instead of silently keeping the last', () => {
    expect(() => splitFrontMatter('---\ntitle: A\ntitle: B\n---\n')).toThrow(/line 3: Map keys must be unique/);
  });

  it('refuses front matter that is a list rather than fields', () => {
    expect(() => splitFrontMatter('---\n- title\n- tier\n---\nBody\n')).toThrow(/found a list/);
  });
});

describe('toSubmission', () => {
  it('adds the body and leaves out id and revision for a new report', () => {
    const submission = toSubmission({ data: { title: 'A', tier: 'complimentary' }, body: 'Text' });
    expect(submission).toEqual({ input: { title: 'A', tier: 'complimentary', body: 'Text' } });
  });

  it('takes id and revision out of the input for a correction', () => {
    const submission = toSubmission({
      data: { id: '01JD0000000000000000000000', revision: 3, title: 'A' },
      body: 'Text',
    });
    expect(submission).toEqual({ id: '01JD0000000000000000000000', revision: 3, input: { title: 'A', body: 'Text' } });
  });

  it('takes an id alone (the current revision is read) and a revision alone (the slug finds the report)', () => {
    expect(toSubmission({ data: { id: ' abc ' }, body: 'Text' })).toEqual({ id: 'abc', input: { body: 'Text' } });
    expect(toSubmission({ data: { revision: 2 }, body: 'Text' })).toEqual({ revision: 2, input: { body: 'Text' } });
  });

  it('refuses a revision that is not a revision number', () => {
    for (const revision of [0, 1.5, '2', -1]) {
      expect(() => toSubmission({ data: { revision }, body: 'Text' })).toThrow(/`revision` must be a revision number/);
    }
  });

  it('refuses a body field in front matter', () => {
    expect(() => toSubmission({ data: { body: 'x' }, body: 'Text' })).toThrow(/must not set `body`/);
  });
});
