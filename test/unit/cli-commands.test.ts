import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../local/cli/main';
import { recordingServers, validationFailed, type CannedReply, type SeenRequest } from '../fixtures/recording-server';

const serve = recordingServers();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dispatch-cli-'));
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as `npx dispatch ...args` would, against `url`. */
async function dispatch(args: string[], url: string, env: Record<string, string> = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    env: { DISPATCH_API_URL: url, DISPATCH_TOKEN: 'tok', DISPATCH_DATA_DIR: join(dir, 'data'), ...env },
    cwd: dir,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch: (input, init) => fetch(input, init),
    sleep: () => Promise.resolve(),
  });
  return { code, stdout, stderr };
}

function file(name: string, content: string): string {
  writeFileSync(join(dir, name), content);
  return name;
}

const REPORT =
  '---\ntitle: Grid note\nsummary: A short note.\ntier: complimentary\nseries: grid-watch\n---\nBody text.\n';
const ID = '01JD8Z0000000000000000000A';
const receipt = { id: ID, slug: 'grid-note', url: 'https://reports.example.org/reports/grid-note/', revision: 1 };
const stored = { id: ID, slug: 'grid-note', revision: 2, state: 'live' };

/** A fake API: the slug lookup finds `found` (none by default); creates and updates answer with the receipt. */
function reportsApi(
  found?: typeof stored,
  write: (request: SeenRequest) => CannedReply = () => ({ status: 201, body: receipt }),
) {
  return (request: SeenRequest): CannedReply => {
    if (request.method === 'GET' && request.url.startsWith('/api/reports?')) {
      return { status: 200, body: { items: found ? [found] : [], nextCursor: null } };
    }
    if (request.method === 'GET') return { status: 200, body: { ...found, history: [] } };
    return write(request);
  };
}
const requestsOf = (seen: SeenRequest[]) => seen.map((request) => `${request.method} ${request.url}`);

describe('dispatch submit', () => {
  it('creates the report when no report has its slug, and prints what it created', async () => {
    const api = await serve(reportsApi());
    const result = await dispatch(['submit', file('note.md', REPORT)], api.url);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`created grid-note r1 (${ID})\nurl https://reports.example.org/reports/grid-note/\n`);
    expect(requestsOf(api.seen)).toEqual(['GET /api/reports?slug=grid-note', 'POST /api/reports']);
    expect(JSON.parse(api.seen[1]?.body ?? '')).toEqual({
      title: 'Grid note',
      summary: 'A short note.',
      tier: 'complimentary',
      series: 'grid-watch',
      body: 'Body text.\n',
    });
  });

  it('looks the report up by the front matter slug before the title', async () => {
    const api = await serve(reportsApi());
    await dispatch(['submit', file('note.md', REPORT.replace('---\ntitle', '---\nslug: kept-slug\ntitle'))], api.url);
    expect(api.seen[0]?.url).toBe('/api/reports?slug=kept-slug');
  });

  it('suggests writing the slug into the front matter after creating a report without one', async () => {
    const api = await serve(reportsApi());
    const result = await dispatch(['submit', file('note.md', REPORT)], api.url);
    expect(result.stderr).toBe(
      'note: add `slug: grid-note` to the front matter, so that the next submit still finds this report if the title changes\n',
    );
  });

  it('updates the report that has the slug, with If-Match of the revision it read', async () => {
    const api = await serve(reportsApi(stored, () => ({ status: 200, body: { ...receipt, revision: 3 } })));
    const result = await dispatch(['submit', file('note.md', REPORT)], api.url);
    expect(result).toEqual({
      code: 0,
      stdout: `updated grid-note r3 (${ID})\nurl https://reports.example.org/reports/grid-note/\n`,
      stderr: '',
    });
    expect(requestsOf(api.seen)).toEqual(['GET /api/reports?slug=grid-note', `PUT /api/reports/${ID}`]);
    expect(api.seen[1]?.headers['if-match']).toBe('"2"');
  });

  it('says that an update of an unpublished report republishes it', async () => {
    const unpublished = { ...stored, state: 'unpublished' };
    const api = await serve(reportsApi(unpublished, () => ({ status: 200, body: { ...receipt, revision: 3 } })));
    const result = await dispatch(['submit', file('note.md', REPORT)], api.url);
    expect(result.stdout.split('\n')[0]).toBe(`updated grid-note r3 (${ID}), republished`);
  });

  it('creates with --new without looking for the report', async () => {
    const api = await serve(reportsApi(stored));
    const result = await dispatch(['submit', file('note.md', REPORT), '--new'], api.url);
    expect(result.code).toBe(0);
    expect(requestsOf(api.seen)).toEqual(['POST /api/reports']);
  });

  it('refuses --new for a file whose front matter names the report to correct (exit 2)', async () => {
    const api = await serve(reportsApi(stored));
    const result = await dispatch(
      ['submit', file('note.md', REPORT.replace('---\n', '---\nrevision: 2\n')), '--new'],
      api.url,
    );
    expect(result.code).toBe(2);
    expect(api.seen).toHaveLength(0);
  });

  it('sends the same Idempotency-Key for the same create, another after an edit or with --new', async () => {
    const api = await serve(reportsApi());
    await dispatch(['submit', file('note.md', REPORT)], api.url);
    await dispatch(['submit', 'note.md'], api.url);
    await dispatch(['submit', file('note.md', `${REPORT}More.\n`)], api.url);
    await dispatch(['submit', 'note.md', '--new'], api.url);
    const keys = api.seen
      .filter((request) => request.method === 'POST')
      .map((request) => request.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^submit-[0-9a-f]{40}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(new Set(keys).size).toBe(3);
  });

  it('keys a correction by the file, the report and the revision it is based on', async () => {
    let current = stored;
    const api = await serve((request) =>
      request.method === 'GET'
        ? { status: 200, body: { items: [current], nextCursor: null } }
        : { status: 200, body: receipt },
    );
    await dispatch(['submit', file('note.md', REPORT)], api.url);
    await dispatch(['submit', 'note.md'], api.url);
    current = { ...stored, revision: 3 };
    await dispatch(['submit', 'note.md'], api.url);
    const keys = api.seen
      .filter((request) => request.method === 'PUT')
      .map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('uses an explicit --idempotency-key', async () => {
    const api = await serve(reportsApi());
    await dispatch(['submit', file('note.md', REPORT), '--idempotency-key', 'mine-1'], api.url);
    expect(api.seen[1]?.headers['idempotency-key']).toBe('mine-1');
  });

  it('corrects the report the front matter names by id, from the revision it names', async () => {
    const api = await serve(reportsApi(stored, () => ({ status: 200, body: { ...receipt, revision: 3 } })));
    const source = REPORT.replace('---\n', `---\nid: ${ID}\nrevision: 2\n`);
    const result = await dispatch(['submit', file('note.md', source)], api.url);
    expect(result.code).toBe(0);
    expect(requestsOf(api.seen)).toEqual([`GET /api/reports/${ID}`, `PUT /api/reports/${ID}`]);
    expect(api.seen[1]?.headers['if-match']).toBe('"2"');
    expect(JSON.parse(api.seen[1]?.body ?? '')).not.toHaveProperty('id');
    expect(JSON.parse(api.seen[1]?.body ?? '')).not.toHaveProperty('revision');
    expect(result.stdout).toContain('updated grid-note r3');
  });

  it('refuses a front matter revision when no report has the slug (exit 2)', async () => {
    const api = await serve(reportsApi());
    const result = await dispatch(['submit', file('note.md', REPORT.replace('---\n', '---\nrevision: 2\n'))], api.url);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/revision: 2.*no report has the slug grid-note/);
    expect(requestsOf(api.seen)).toEqual(['GET /api/reports?slug=grid-note']);
  });

  it('prints one line naming the report and both revisions when another change got there first', async () => {
    const later = { ...stored, revision: 3 };
    const api = await serve((request) => {
      if (request.url.startsWith('/api/reports?')) return { status: 200, body: { items: [stored], nextCursor: null } };
      if (request.method === 'GET') {
        const history = [
          { revision: 3, action: 'updated', editorId: 'E1', editorName: 'Omar Haddad', at: '2026-12-01T09:00:00Z' },
        ];
        return { status: 200, body: { ...later, history } };
      }
      return {
        status: 412,
        body: { error: { code: 'precondition_failed', message: `Report ${ID} is at revision 3, not 2` } },
      };
    });
    const result = await dispatch(['submit', file('note.md', REPORT)], api.url);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `dispatch: not saved: grid-note (${ID}) changed after r2, the revision this file is based on: r3 was saved by Omar Haddad at 2026-12-01T09:00:00Z. Merge that change into the file and submit again\n`,
    });
  });

  it('says so in one line when another change is still being saved', async () => {
    const api = await serve((request) => {
      if (request.method === 'GET' && request.url.startsWith('/api/reports?')) {
        return { status: 200, body: { items: [stored], nextCursor: null } };
      }
      if (request.method === 'GET') return { status: 200, body: { ...stored, history: [] } };
      return { status: 409, body: { error: { code: 'change_in_progress', message: 'being changed' } } };
    });
    const result = await dispatch(['submit', file('note.md', REPORT)], api.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `dispatch: not saved: another change to grid-note (${ID}) r2 is being saved right now; submit again in a moment\n`,
    );
  });

  it('prints the warnings of the answer on stderr, with the file line of each body line they name', async () => {
    const warning = 'footnote [^3] on line 4 is never cited: readers will not see it';
    const api = await serve(reportsApi(undefined, () => ({ status: 201, body: { ...receipt, warnings: [warning] } })));
    const result = await dispatch(
      ['submit', file('note.md', REPORT.replace('---\ntitle', '---\nslug: grid-note\ntitle'))],
      api.url,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: footnote [^3] on line 4 (note.md:11) is never cited: readers will not see it\n',
    );
  });

  it('prints a validation error as one line and exits 1', async () => {
    const api = await serve(reportsApi(undefined, () => validationFailed({ title: 'must not be blank' }, 'invalid')));
    const result = await dispatch(['submit', file('note.md', REPORT)], api.url);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'dispatch: 422 validation_failed: title: must not be blank\n',
    });
  });

  it('refuses a file without front matter before sending anything (exit 2)', async () => {
    const api = await serve(reportsApi());
    const result = await dispatch(['submit', file('plain.md', '# Title\n\nText\n')], api.url);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^dispatch: plain\.md: no front matter: [^\n]*\n$/);
    expect(api.seen).toHaveLength(0);
  });

  it('dry-runs through the preview route and prints the cut, the parts, the warnings and what a submit would do', async () => {
    const preview = {
      cut: 'first-two-paragraphs',
      parts: { public: { words: 12, bytes: 80 }, subscriber: { words: 30, bytes: 200 } },
      warnings: ['no paywall marker: the first two paragraphs are public'],
      publicHtml: '<p>Public paragraph.</p>',
      subscriberHtml: '<p>Paid paragraph.</p>',
    };
    const api = await serve(reportsApi(stored, () => ({ status: 200, body: preview })));
    const result = await dispatch(['submit', '--dry-run', file('note.md', REPORT)], api.url);
    expect(result.code).toBe(0);
    expect(requestsOf(api.seen)).toEqual(['POST /api/reports/preview', 'GET /api/reports?slug=grid-note']);
    expect(JSON.parse(api.seen[0]?.body ?? '')).toMatchObject({ title: 'Grid note', tier: 'complimentary' });
    expect(result.stdout).toContain(`would update grid-note (${ID}), now at r2\n`);
    expect(result.stdout).toContain('cut: after the first two paragraphs (no <!-- paywall --> marker)');
    expect(result.stdout).toContain('public: 12 words of body; subscriber-only: 30 words');
    expect(result.stdout).toContain('warning: no paywall marker: the first two paragraphs are public');
    expect(result.stdout).toContain('Public paragraph.');
    expect(result.stdout).toContain('--- subscriber-only ---\nPaid paragraph.');
  });

  it("dry-run shows the server's field errors with their file lines and exits non-zero, as create would", async () => {
    const api = await serve(() =>
      validationFailed([{ field: 'body', message: 'line 3 looks like a paywall marker but is not one' }]),
    );
    const result = await dispatch(['submit', '--dry-run', file('note.md', REPORT)], api.url);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('body: line 3 (note.md:9) looks like a paywall marker but is not one');
  });
});

describe('dispatch reports', () => {
  const row = (n: number) => ({
    id: `id${n}`,
    slug: `report-${n}`,
    tier: 'subscriber',
    state: 'live',
    revision: n,
    publishAt: '2026-11-24T09:00:00Z',
    title: `Report ${n}`,
  });

  it('follows nextCursor through every page with --all and prints a table', async () => {
    const api = await serve((request) =>
      request.url.includes('cursor=p2')
        ? { status: 200, body: { items: [row(3)] } }
        : { status: 200, body: { items: [row(1), row(2)], nextCursor: 'p2' } },
    );
    const result = await dispatch(['reports', 'list', '--all'], api.url);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      'id   slug      tier        state  revision  publishAt             title',
    );
    expect(result.stdout).toContain('id3  report-3  subscriber  live   r3        2026-11-24T09:00:00Z  Report 3\n');
    expect(api.seen.map((request) => request.url)).toEqual([
      '/api/reports?limit=20',
      '/api/reports?limit=20&cursor=p2',
    ]);
  });

  it('stops at --limit and says that more exist', async () => {
    const api = await serve(() => ({ status: 200, body: { items: [row(1), row(2)], nextCursor: 'p2' } }));
    const result = await dispatch(['reports', 'list', '--limit', '2'], api.url);
    expect(api.seen).toHaveLength(1);
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
    expect(result.stderr).toContain('more reports exist');
  });

  it('unpublishes with DELETE', async () => {
    const api = await serve(() => ({ status: 200, body: { id: 'id1' } }));
    const result = await dispatch(['unpublish', 'id1'], api.url);
    expect(result.code).toBe(0);
    expect(api.seen[0]).toMatchObject({ method: 'DELETE', url: '/api/reports/id1' });
  });
});

describe('dispatch editors', () => {
  it('prints the new token on stdout and the shown-once warning on stderr', async () => {
    const api = await serve(() => ({ status: 201, body: { id: 'ed1', token: 'secret-token' } }));
    const result = await dispatch(['editors', 'create', '--name', 'Ines Varga', '--role', 'admin'], api.url);
    expect(JSON.parse(api.seen[0]?.body ?? '')).toEqual({ name: 'Ines Varga', role: 'admin' });
    expect(result.stdout).toContain('token  secret-token');
    expect(result.stderr).toMatch(/shown only this once/);
  });

  it('refuses an unknown role as a usage error', async () => {
    const api = await serve(() => ({ status: 201, body: {} }));
    const result = await dispatch(['editors', 'create', '--name', 'X', '--role', 'owner'], api.url);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(api.seen).toHaveLength(0);
  });
});

describe('dispatch subscribers', () => {
  it('adds a subscriber as active with the given tier', async () => {
    const api = await serve(() => ({ status: 200, body: {} }));
    const result = await dispatch(['subscribers', 'add', 'reader@example.org', '--tier', 'paid'], api.url);
    expect(result.code).toBe(0);
    expect(api.seen[0]).toMatchObject({ method: 'PUT', url: '/api/subscribers/reader%40example.org' });
    expect(JSON.parse(api.seen[0]?.body ?? '')).toEqual({ tier: 'paid', status: 'active' });
  });

  it('imports valid rows, at most four at a time, and lists rejected rows with exit 1', async () => {
    let inFlight = 0;
    let peak = 0;
    const api = await serve(async (request) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return request.url.includes('blocked')
        ? { status: 422, body: { error: { code: 'suppressed', message: 'address is on the suppression list' } } }
        : { status: 200, body: {} };
    });
    const good = Array.from({ length: 9 }, (_, n) => `r${n}@example.org,paid`);
    const csv = ['email,tier', ...good, 'broken,free', 'blocked@example.org,free'].join('\r\n');
    const result = await dispatch(['subscribers', 'import', file('list.csv', csv)], api.url);
    expect(result.code).toBe(1);
    expect(api.seen).toHaveLength(10);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    expect(result.stdout).toBe(
      'imported 9, rejected 2\n' +
        '  line 11: broken: not a valid email address\n' +
        '  line 12: blocked@example.org: 422 suppressed: address is on the suppression list\n',
    );
  });

  it('exits 0 when every row is imported', async () => {
    const api = await serve(() => ({ status: 200, body: {} }));
    const result = await dispatch(['subscribers', 'import', file('ok.csv', 'email\na@example.org\n')], api.url);
    expect(result).toMatchObject({ code: 0, stdout: 'imported 1, rejected 0\n' });
  });

  it('stops the import on a 403 instead of failing every row the same way', async () => {
    const api = await serve(() => ({
      status: 403,
      body: { error: { code: 'forbidden', message: 'admin role required' } },
    }));
    const csv = ['email', ...Array.from({ length: 20 }, (_, n) => `r${n}@example.org`)].join('\n');
    const result = await dispatch(['subscribers', 'import', file('list.csv', csv)], api.url);
    expect(result.code).toBe(1);
    expect(api.seen.length).toBeLessThanOrEqual(4);
    expect(result.stderr).toMatch(/dispatch: 403 forbidden: admin role required\n$/);
  });

  it('refuses a CSV without a header before sending anything (exit 2)', async () => {
    const api = await serve(() => ({ status: 200, body: {} }));
    const result = await dispatch(['subscribers', 'import', file('raw.csv', 'a@example.org,paid\n')], api.url);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dispatch: raw.csv: line 1 looks like data: add a header row first, e.g. `email,tier`\n',
    });
  });

  it('imports the series column: a list, or null for an empty cell', async () => {
    const api = await serve(() => ({ status: 200, body: {} }));
    const csv = 'email,series\na@example.org,grid-watch\nb@example.org,\n';
    const result = await dispatch(['subscribers', 'import', file('series.csv', csv)], api.url);
    expect(result.code).toBe(0);
    const bodies = Object.fromEntries(api.seen.map((request) => [request.url, JSON.parse(request.body)]));
    expect(bodies).toEqual({
      '/api/subscribers/a%40example.org': { tier: 'free', status: 'active', series: ['grid-watch'] },
      '/api/subscribers/b%40example.org': { tier: 'free', status: 'active', series: null },
    });
  });

  /** A subscriber API that knows one address. */
  const knowing = (email: string) => (request: SeenRequest) =>
    request.method === 'GET'
      ? {
          status: 200,
          body: {
            items: request.url.includes(encodeURIComponent(email))
              ? [{ email, tier: 'free', status: 'active', createdAt: 'x' }]
              : [],
          },
        }
      : { status: 200, body: {} };

  it('sets the series of an existing subscriber, none, or every series', async () => {
    const api = await serve(knowing('reader@example.org'));
    const list = await dispatch(
      ['subscribers', 'series', 'Reader@example.org', '--series', 'grid-watch,harbour-ledger'],
      api.url,
    );
    expect(list).toMatchObject({ code: 0, stdout: 'Reader@example.org: grid-watch, harbour-ledger\n' });
    expect(requestsOf(api.seen)).toEqual([
      'GET /api/subscribers?q=reader%40example.org&limit=1',
      'PUT /api/subscribers/Reader%40example.org',
    ]);
    expect(JSON.parse(api.seen[1]?.body ?? '')).toEqual({ series: ['grid-watch', 'harbour-ledger'] });
    const none = await dispatch(['subscribers', 'series', 'reader@example.org', '--series', ''], api.url);
    expect(none.stdout).toBe('reader@example.org: no series (no digest)\n');
    expect(JSON.parse(api.seen[3]?.body ?? '')).toEqual({ series: [] });
    const all = await dispatch(['subscribers', 'series', 'reader@example.org', '--all-series'], api.url);
    expect(all.stdout).toBe('reader@example.org: every series\n');
    expect(JSON.parse(api.seen[5]?.body ?? '')).toEqual({ series: null });
  });

  it('refuses to set series for an address that does not subscribe, instead of creating it', async () => {
    const api = await serve(knowing('someone@example.org'));
    const result = await dispatch(['subscribers', 'series', 'reader@example.org', '--all-series'], api.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no subscriber has the address reader@example.org/);
    expect(api.seen.map((request) => request.method)).toEqual(['GET']);
  });

  it('wants exactly one of --series and --all-series, and well-formed ids (exit 2, nothing sent)', async () => {
    const api = await serve(knowing('reader@example.org'));
    for (const args of [[], ['--series', 'grid-watch', '--all-series'], ['--series', 'Grid Watch']]) {
      const result = await dispatch(['subscribers', 'series', 'reader@example.org', ...args], api.url);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(api.seen).toHaveLength(0);
  });

  it('prints the private feed url', async () => {
    const api = await serve(() => ({
      status: 200,
      body: { url: 'https://reports.example.org/feeds/private/t0k/rss.xml' },
    }));
    const result = await dispatch(['subscribers', 'feed-url', 'reader@example.org'], api.url);
    expect(result.stdout).toBe('https://reports.example.org/feeds/private/t0k/rss.xml\n');
    expect(api.seen[0]?.url).toBe('/api/subscribers/reader%40example.org/feed-url');
  });
});

describe('dispatch digest', () => {
  it('writes the preview html and prints the subject', async () => {
    const api = await serve(() => ({ status: 200, body: { subject: 'Grid Watch, week 48', html: '<p>Hello</p>' } }));
    const result = await dispatch(['digest', 'preview', '--tier', 'free', '--out', 'preview.html'], api.url);
    expect(result.code).toBe(0);
    expect(api.seen[0]?.url).toBe('/api/digests/preview?tier=free');
    expect(readFileSync(join(dir, 'preview.html'), 'utf8')).toBe('<p>Hello</p>');
    expect(result.stdout).toContain('subject  Grid Watch, week 48');
  });

  it('sends an edition and polls its progress until it is sent', async () => {
    let polls = 0;
    const api = await serve((request) => {
      if (request.method === 'POST') return { status: 202, body: { id: 'ed-48' } };
      polls += 1;
      const status = polls < 3 ? 'sending' : 'sent';
      return {
        status: 200,
        body: { id: 'ed-48', status, recipients: 10, sent: polls * 3, failed: 0, suppressed: 1, noSeries: 1 },
      };
    });
    const result = await dispatch(['digest', 'send'], api.url);
    expect(result.code).toBe(0);
    expect(polls).toBe(3);
    expect(result.stdout).toMatch(/^edition ed-48\n/);
    expect(result.stdout).toContain('status      sent');
    expect(result.stdout).toMatch(/no series\s+1\n/);
    expect(result.stderr).toContain('sending [');
  });

  it('exits 1 with one line when the edition ends paused', async () => {
    const api = await serve((request) =>
      request.method === 'POST'
        ? { status: 202, body: { id: 'ed-49' } }
        : {
            status: 200,
            body: { id: 'ed-49', status: 'paused', reason: 'paused by an operator', recipients: 10, sent: 4 },
          },
    );
    const result = await dispatch(['digest', 'send'], api.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dispatch: edition ed-49 is paused: paused by an operator\n$/);
  });

  it('returns after printing the edition id with --no-wait', async () => {
    const api = await serve(() => ({ status: 202, body: { id: 'ed-50' } }));
    const result = await dispatch(['digest', 'send', '--no-wait'], api.url);
    expect(result).toEqual({ code: 0, stdout: 'edition ed-50\n', stderr: '' });
    expect(api.seen).toHaveLength(1);
  });
});

describe('configuration', () => {
  it('falls back to the admin token that npm start writes', async () => {
    const api = await serve(() => ({ status: 200, body: { items: [] } }));
    const dataDir = join(dir, 'state');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'admin-token'), 'admin-from-file\n');
    await dispatch(['reports', 'list'], api.url, { DISPATCH_TOKEN: '', DISPATCH_DATA_DIR: dataDir });
    expect(api.seen[0]?.headers.authorization).toBe('Bearer admin-from-file');
  });

  it('prefers DISPATCH_TOKEN over the token file', async () => {
    const api = await serve(() => ({ status: 200, body: { items: [] } }));
    await dispatch(['reports', 'list'], api.url, { DISPATCH_TOKEN: 'from-env' });
    expect(api.seen[0]?.headers.authorization).toBe('Bearer from-env');
  });

  it('prints a stack trace only with DISPATCH_DEBUG=1', async () => {
    const api = await serve(() => ({ status: 500, body: { error: { code: 'internal', message: 'boom' } } }));
    const quiet = await dispatch(['reports', 'list'], api.url);
    const loud = await dispatch(['reports', 'list'], api.url, { DISPATCH_DEBUG: '1' });
    expect(quiet.stderr).toBe('dispatch: 500 internal: boom\n');
    expect(loud.stderr).toMatch(/^dispatch: 500 internal: boom\nApiError: boom\n\s+at /);
  });
});
