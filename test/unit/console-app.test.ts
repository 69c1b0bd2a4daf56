import { describe, expect, it, vi } from 'vitest';
import { ApiClient, errorFrom, SignedOutError, type ReportDetail } from '../../templates/console/app/api';
import { imageMarkdown, mediaProblem, sha256Hex, uploadImage } from '../../templates/console/app/media';
import { importRows, readSubscriberFile } from '../../templates/console/app/subscriber-import';
import {
  emptyForm,
  formFromReport,
  fromLocalInput,
  inputFromForm,
  insertAt,
  toLocalInput,
} from '../../templates/console/app/report-form';
import { matchesSearch, reportStatus } from '../../templates/console/app/report-status';
import { viewFromHash } from '../../templates/console/app/routes';

/** The console's pure modules (templates/console/app): what they send and how they read the API's answers. */
const REPORT: ReportDetail = {
  id: '01JD8Z4X7RG0000000000000AB',
  slug: 'pilots-strike',
  title: 'Pilots strike',
  summary: 'Night arrivals stop.',
  tier: 'subscriber',
  series: 'harbour-ledger',
  state: 'live',
  publishAt: '2026-11-24T09:00:00.000Z',
  updatedAt: '2026-11-24T09:00:00.000Z',
  revision: 3,
  tags: ['ports', 'labour'],
  authors: ['Mara Quill'],
  leadImage: { url: 'https://example.org/a.jpg', alt: 'A pilot boat' },
  freeAfter: 'P30D',
  body: 'Public.\n\n<!-- paywall -->\n\nPaid.',
  history: [],
  leakBlocked: null,
};

describe('report status in the list', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  it("takes the API's own status when it sends one", () => {
    expect(reportStatus({ ...REPORT, status: 'leak-blocked' }, now)).toBe('leak-blocked');
  });

  it('derives it from state, go-live and released for an API that sends only state', () => {
    expect(reportStatus({ ...REPORT, state: 'unpublished' }, now)).toBe('unpublished');
    expect(reportStatus({ ...REPORT, publishAt: '2026-12-02T00:00:00Z' }, now)).toBe('scheduled');
    expect(reportStatus({ ...REPORT, released: true }, now)).toBe('released');
    expect(reportStatus(REPORT, now)).toBe('live');
  });

  it('searches titles and tags, every word, ignoring case', () => {
    expect(matchesSearch(REPORT, 'PILOTS')).toBe(true);
    expect(matchesSearch(REPORT, 'labour strike')).toBe(true);
    expect(matchesSearch(REPORT, 'labour harbour')).toBe(false);
    expect(matchesSearch(REPORT, '  ')).toBe(true);
  });
});

describe('report form', () => {
  it('sends lists split on commas and leaves out empty optional fields', () => {
    const form = { ...emptyForm('grid-watch'), title: 'T', summary: 'S', body: 'B', tags: ' a, ,b ,', authors: '' };
    expect(inputFromForm(form)).toEqual({
      title: 'T',
      summary: 'S',
      tier: 'subscriber',
      series: 'grid-watch',
      tags: ['a', 'b'],
      authors: [],
      body: 'B',
    });
  });

  it('round-trips a stored report; a correction keeps the lead image and leaves an unchanged go-live out', () => {
    const form = formFromReport(REPORT);
    expect(form.tags).toBe('ports, labour');
    const input = inputFromForm(form, REPORT);
    expect(input).not.toHaveProperty('publishAt');
    expect(input.leadImage).toEqual(REPORT.leadImage);
    expect(input.freeAfter).toBe('P30D');
  });

  it('sends a changed go-live as an ISO instant', () => {
    const form = { ...formFromReport(REPORT), publishAt: toLocalInput('2027-01-05T10:30:00Z') };
    expect(inputFromForm(form, REPORT).publishAt).toBe('2027-01-05T10:30:00.000Z');
    expect(fromLocalInput(toLocalInput('2027-01-05T10:30:00Z'))).toBe('2027-01-05T10:30:00.000Z');
  });

  it('inserts a block on lines of its own at the caret', () => {
    expect(insertAt('one\ntwo', 4, 4, '![x](u)')).toEqual({ body: 'one\n\n![x](u)\n\ntwo', caret: 12 });
    expect(insertAt('', 0, 0, '![x](u)')).toEqual({ body: '![x](u)', caret: 7 });
    expect(insertAt('para\n\n', 6, 6, '![x](u)').body).toBe('para\n\n![x](u)');
  });
});

describe('views by fragment', () => {
  it('reads the URL fragment; anything unknown is the reports list', () => {
    expect(viewFromHash('#/reports/new')).toEqual({ name: 'report' });
    expect(viewFromHash('#/reports/01JD8Z4X7RG0000000000000AB')).toEqual({
      name: 'report',
      id: '01JD8Z4X7RG0000000000000AB',
    });
    expect(viewFromHash('#/reports/../../x')).toEqual({ name: 'reports' });
    expect(viewFromHash('#/editors')).toEqual({ name: 'editors' });
    expect(viewFromHash('')).toEqual({ name: 'reports' });
  });
});

const answer = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status });

describe('API client', () => {
  it('tells the console about a 401 once and throws SignedOutError', async () => {
    const signedOut = vi.fn();
    const api = new ApiClient('t', signedOut, async () =>
      answer(401, { error: { code: 'unauthorized', message: 'The bearer token is not valid' } }),
    );
    await expect(api.listReports()).rejects.toBeInstanceOf(SignedOutError);
    expect(signedOut).toHaveBeenCalledWith('The bearer token is not valid');
  });

  it("reads our error shape with its fields, and API Gateway's bare one", () => {
    const invalid = errorFrom(422, {
      error: { code: 'invalid_input', message: 'Invalid report', fields: [{ field: 'title', message: 'blank' }] },
    });
    expect(invalid).toMatchObject({
      status: 422,
      code: 'invalid_input',
      fields: [{ field: 'title', message: 'blank' }],
    });
    expect(errorFrom(403, { message: 'Forbidden' }).message).toMatch(/admin token/);
    expect(errorFrom(502, 'Bad gateway').message).toBe('The API answered 502');
  });

  it('turns a failed connection into one sentence', async () => {
    const api = new ApiClient('t', undefined, async () => {
      throw new TypeError('fetch failed');
    });
    await expect(api.listReports()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});

describe('subscriber import', () => {
  const rows = [
    { line: 2, email: 'a@x.test', tier: 'free' as const, status: 'active' as const },
    { line: 3, email: 'b@x.test', tier: 'paid' as const, status: 'active' as const },
  ];
  const refusing = (status: number) =>
    new ApiClient('t', undefined, async () =>
      answer(status, { error: { code: 'invalid_input', message: 'email must be an email address' } }),
    );

  it('lists a row the API refuses with its line and the API sentence, and goes on', async () => {
    const progress = await importRows(refusing(422), rows, () => undefined);
    expect(progress).toEqual({
      done: 2,
      imported: 0,
      rejected: expect.arrayContaining([
        { line: 2, value: 'a@x.test', reason: 'email must be an email address' },
        { line: 3, value: 'b@x.test', reason: 'email must be an email address' },
      ]),
    });
  });

  it('stops at a refused token instead of repeating one error for every row', async () => {
    await expect(importRows(refusing(403), rows, () => undefined)).rejects.toMatchObject({ status: 403 });
  });

  it('rejects a row naming a series the console does not know, and sends the series of the others', async () => {
    const read = await readSubscriberFile('email,series\na@x.test,grid-watch\nb@x.test,reef-watch\n', [
      'grid-watch',
      'harbour-ledger',
    ]);
    expect(read.rejected).toEqual([
      { line: 3, value: 'b@x.test', reason: expect.stringMatching(/^series: unknown series "reef-watch"/) },
    ]);
    const bodies: unknown[] = [];
    const api = new ApiClient('t', undefined, async (_url, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return answer(200, {});
    });
    await importRows(api, read.rows, () => undefined);
    expect(bodies).toEqual([{ tier: 'free', status: 'active', series: ['grid-watch'] }]);
  });

  it('reads the file by the CLI rules, header problems included', async () => {
    await expect(readSubscriberFile('address,tier\na@x.test,free\n')).rejects.toThrow(/no `email` column/);
    const read = await readSubscriberFile('email,tier\na@x.test,gold\n');
    expect(read.rejected).toEqual([{ line: 2, value: 'a@x.test', reason: expect.stringMatching(/tier must be/) }]);
  });
});

describe('media', () => {
  it('hashes in hex as the upload request announces it', async () => {
    const bytes = new TextEncoder().encode('abc');
    expect(await sha256Hex(bytes.buffer)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses what the media route would refuse, and a missing alt text, before sending anything', () => {
    expect(mediaProblem({ type: 'image/svg+xml', size: 10 }, 'a')).toMatch(/JPEG, PNG, WebP and GIF/);
    expect(mediaProblem({ type: 'image/png', size: 10 * 1024 * 1024 + 1 }, 'a')).toMatch(/10 MB/);
    expect(mediaProblem({ type: 'image/png', size: 10 }, '  ')).toMatch(/alt text/);
    expect(mediaProblem({ type: 'image/webp', size: 10 }, 'A chart')).toBeUndefined();
  });

  it('says so when storage refuses the bytes, and never asks for the check', async () => {
    const calls: string[] = [];
    const api = new ApiClient('t', undefined, async (url) => {
      calls.push(url);
      return answer(201, {
        status: 'upload',
        uploadUrl: 'https://storage.test/put',
        method: 'PUT',
        headers: {},
        name: 'n.png',
        key: 'media/n.png',
        url: 'https://site.test/media/n.png',
      });
    });
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'a.png', { type: 'image/png' });
    await expect(uploadImage(api, file, 'A chart', async () => new Response(null, { status: 403 }))).rejects.toThrow(
      'Storage refused the image (403)',
    );
    expect(calls).toEqual(['/api/media']);
  });

  it('writes Markdown whose alt text cannot break out of the image', () => {
    expect(imageMarkdown(' Chart [1] ', 'https://x/media/a.png')).toBe('![Chart \\[1\\]](https://x/media/a.png)');
  });
});
