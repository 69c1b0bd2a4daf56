import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliDeps } from '../../local/cli/main';
import { startHarness, type Harness } from './harness';

/**
 * `dispatch submit` corrects instead of duplicating (issue 14), and footnotes are checked at intake: the real CLI
 * against a temp stack, plus the two API contracts it relies on (finding a report by slug, footnote checks).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let harness: Harness;
let dir: string;
let otherEditor: { id: string; token: string };

beforeAll(async () => {
  harness = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'dispatch-cli-submit-'));
  const created = await harness.api('/api/editors', { method: 'POST', json: { name: 'Omar Haddad', role: 'editor' } });
  expect(created.status).toBe(201);
  otherEditor = (await created.json()) as { id: string; token: string };
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with the real fetch (or a wrapper of it) against the temp stack. */
async function dispatch(args: string[], fetchFn: CliDeps['fetch'] = fetch): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    env: { DISPATCH_API_URL: harness.stack.apiUrl, DISPATCH_TOKEN: harness.stack.adminToken },
    cwd: dir,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch: fetchFn,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { code, stdout, stderr };
}

/** Runs the real executable, as `npx dispatch` does. */
function dispatchExecutable(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'local/cli/dispatch.js'), ...args],
      {
        cwd: dir,
        env: { ...process.env, DISPATCH_API_URL: harness.stack.apiUrl, DISPATCH_TOKEN: harness.stack.adminToken },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface ReportFile {
  title: string;
  slug?: string;
  revision?: number;
  body?: string;
}

const DEFAULT_BODY = 'Operators logged two relay faults in October.\n\nBoth cleared within the hour.\n';

function reportSource({ title, slug, revision, body = DEFAULT_BODY }: ReportFile): string {
  return [
    '---',
    `title: ${title}`,
    'summary: Two relay faults point to a maintenance backlog.',
    'tier: complimentary',
    'series: grid-watch',
    ...(slug ? [`slug: ${slug}`] : []),
    ...(revision ? [`revision: ${revision}`] : []),
    '---',
    body,
  ].join('\n');
}

function writeReport(name: string, report: ReportFile): string {
  writeFileSync(join(dir, name), reportSource(report));
  return name;
}

interface ListedReport {
  id: string;
  slug: string;
  revision: number;
  state: string;
  title: string;
}

async function bySlug(slug: string): Promise<ListedReport[]> {
  const response = await harness.api(`/api/reports?slug=${encodeURIComponent(slug)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: ListedReport[] }).items;
}

async function stored(id: string): Promise<{ revision: number; body: string; title: string; state: string }> {
  const response = await harness.api(`/api/reports/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { revision: number; body: string; title: string; state: string };
}

/** A change by another editor, straight through the API. */
async function putAsOtherEditor(id: string, revision: number, report: ReportFile): Promise<void> {
  const response = await harness.api(`/api/reports/${id}`, {
    method: 'PUT',
    token: otherEditor.token,
    headers: { 'if-match': `"${revision}"` },
    json: {
      title: report.title,
      summary: 'Two relay faults point to a maintenance backlog.',
      tier: 'complimentary',
      series: 'grid-watch',
      body: report.body ?? DEFAULT_BODY,
    },
  });
  expect(response.status).toBe(200);
}

const SUBMITTED = /^(created|updated) (\S+) r(\d+) \((\w{26})\)/;

function receiptOf(result: Result): { verb: string; slug: string; revision: number; id: string } {
  expect(result.code, result.stderr).toBe(0);
  const match = SUBMITTED.exec(result.stdout);
  expect(match, result.stdout).not.toBeNull();
  const [, verb = '', slug = '', revision = '', id = ''] = match ?? [];
  return { verb, slug, revision: Number(revision), id };
}

describe('GET /api/reports?slug=', () => {
  it('answers the one report that holds the slug, or none', async () => {
    const file = writeReport('lookup.md', { title: 'Lookup target', slug: 'lookup-target' });
    const { id } = receiptOf(await dispatch(['submit', file]));
    expect(await bySlug('lookup-target')).toEqual([
      expect.objectContaining({ id, slug: 'lookup-target', revision: 1, state: 'live', title: 'Lookup target' }),
    ]);
    expect(await bySlug('no-report-has-this-slug')).toEqual([]);
  });

  it('refuses a malformed slug with a 400 naming the parameter', async () => {
    const response = await harness.api('/api/reports?slug=Not%20A%20Slug');
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; fields: { field: string }[] } };
    expect(error.fields[0]?.field).toBe('slug');
  });

  it('needs an editor token', async () => {
    expect((await harness.api('/api/reports?slug=lookup-target', { token: null })).status).toBe(401);
  });
});

describe('dispatch submit corrects the report its file names', () => {
  it('leaves one report at revision 2 when the same file is submitted twice', async () => {
    const file = writeReport('twice.md', { title: 'Relay faults submitted twice', slug: 'relay-faults-twice' });
    const first = receiptOf(await dispatch(['submit', file]));
    const second = receiptOf(await dispatch(['submit', file]));
    expect(first).toMatchObject({ verb: 'created', slug: 'relay-faults-twice', revision: 1 });
    expect(second).toEqual({ ...first, verb: 'updated', revision: 2 });
    expect(await bySlug('relay-faults-twice')).toEqual([expect.objectContaining({ id: first.id, revision: 2 })]);
    expect(await bySlug('relay-faults-twice-2')).toEqual([]);
    const listed = await dispatch(['reports', 'list', '--all']);
    expect(listed.stdout.split('\n').filter((line) => line.includes('relay-faults-twice'))).toEqual([
      expect.stringMatching(new RegExp(`^${first.id}\\s+relay-faults-twice\\s+complimentary\\s+live\\s+r2\\s`)),
    ]);
  });

  it('updates the report with the edited file', async () => {
    const file = writeReport('edited.md', { title: 'Relay faults, edited', slug: 'relay-faults-edited' });
    const { id } = receiptOf(await dispatch(['submit', file]));
    writeReport(file, {
      title: 'Relay faults, edited',
      slug: 'relay-faults-edited',
      body: `${DEFAULT_BODY}\nA correction: the second fault took ninety minutes.\n`,
    });
    expect(receiptOf(await dispatch(['submit', file]))).toMatchObject({ verb: 'updated', id, revision: 2 });
    const report = await stored(id);
    expect(report.revision).toBe(2);
    expect(report.body).toContain('the second fault took ninety minutes');
  });

  it('finds the report by the slug its title gives when the front matter names none', async () => {
    // Intake strips the zero-width space before the server derives the slug; the CLI derives it the same way.
    const title = 'Émile & the Kes\u200btrel “valley” relays';
    const file = writeReport('derived.md', { title });
    const first = receiptOf(await dispatch(['submit', file]));
    expect(first).toMatchObject({ verb: 'created', slug: 'emile-and-the-kestrel-valley-relays' });
    const second = receiptOf(await dispatch(['submit', file]));
    expect(second).toMatchObject({ verb: 'updated', id: first.id, revision: 2 });
  });

  it('creates a second report with --new', async () => {
    const file = writeReport('new.md', { title: 'Relay faults forced new' });
    const first = receiptOf(await dispatch(['submit', file]));
    const second = receiptOf(await dispatch(['submit', file, '--new']));
    expect(second.verb).toBe('created');
    expect(second.id).not.toBe(first.id);
    expect(second.slug).toBe(`${first.slug}-2`);
    expect((await stored(first.id)).revision).toBe(1);
  });

  it('updates, and so republishes, an unpublished report, and says so', async () => {
    const file = writeReport('unpublished.md', { title: 'Relay faults taken down', slug: 'relay-faults-taken-down' });
    const { id } = receiptOf(await dispatch(['submit', file]));
    expect((await harness.api(`/api/reports/${id}`, { method: 'DELETE' })).status).toBe(200);
    const result = await dispatch(['submit', file]);
    expect(receiptOf(result)).toMatchObject({ verb: 'updated', id, revision: 3 });
    expect(result.stdout).toContain('republished');
    expect((await stored(id)).state).toBe('live');
  });

  it("prints one line and exits 1 when someone else saved a revision after the file's `revision:`", async () => {
    const file = writeReport('pinned.md', { title: 'Relay faults pinned', slug: 'relay-faults-pinned' });
    const { id } = receiptOf(await dispatch(['submit', file]));
    await putAsOtherEditor(id, 1, { title: 'Relay faults pinned', body: 'Their correction.\n' });

    writeReport(file, { title: 'Relay faults pinned', slug: 'relay-faults-pinned', revision: 1, body: 'Mine.\n' });
    const result = await dispatchExecutable(['submit', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/relay-faults-pinned/);
    expect(lines[0]).toContain(id);
    expect(lines[0]).toMatch(/\br1\b[\s\S]*\br2\b/);
    expect(lines[0]).toContain('Omar Haddad');
    const report = await stored(id);
    expect(report.revision).toBe(2);
    expect(report.body).toBe('Their correction.\n');
  }, 90_000);

  it('prints one line and exits 1 when someone else saves between the CLI reading the revision and its PUT', async () => {
    const file = writeReport('raced.md', { title: 'Relay faults raced', slug: 'relay-faults-raced' });
    const { id } = receiptOf(await dispatch(['submit', file]));
    writeReport(file, { title: 'Relay faults raced', slug: 'relay-faults-raced', body: 'Mine.\n' });

    let raced = false;
    const racingFetch: CliDeps['fetch'] = async (input, init) => {
      if (init.method === 'PUT' && !raced) {
        raced = true;
        await putAsOtherEditor(id, 1, { title: 'Relay faults raced', body: 'Theirs, saved first.\n' });
      }
      return fetch(input, init);
    };
    const result = await dispatch(['submit', file], racingFetch);
    expect(raced).toBe(true);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dispatch: .*relay-faults-raced.*\br1\b.*\br2\b/);
    expect((await stored(id)).body).toBe('Theirs, saved first.\n');
  });
});

describe('footnotes at intake', () => {
  const withUndefinedFootnote = 'A claim with a source.[^1]\n\nAnother claim.[^2]\n\n[^1]: The source.\n';

  it('refuses an undefined reference through the CLI, naming the body line and the file line', async () => {
    const file = writeReport('undefined-footnote.md', {
      title: 'Relay faults with a missing source',
      slug: 'relay-faults-missing-source',
      body: withUndefinedFootnote,
    });
    const result = await dispatch(['submit', file]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    // The front matter takes lines 1 to 7 (both `---` included): body line 3 is file line 10.
    expect(result.stderr).toMatch(
      /^dispatch: 422 validation_failed: body: line 3 \(undefined-footnote\.md:10\) .*\[\^2\]/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await bySlug('relay-faults-missing-source')).toEqual([]);
  });

  it('refuses it in a dry run too, as the preview route does', async () => {
    const file = writeReport('undefined-dry.md', { title: 'Relay faults dry run', body: withUndefinedFootnote });
    const result = await dispatch(['submit', file, '--dry-run']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/body: line 3 \(undefined-dry\.md:9\) .*\[\^2\]/);
  });

  it('prints the warning for a definition nothing cites, and still submits', async () => {
    const file = writeReport('unused-footnote.md', {
      title: 'Relay faults with a spare source',
      slug: 'relay-faults-spare-source',
      body: 'A claim.[^1]\n\nAnother claim.\n\n[^1]: The source.\n\n[^spare]: Never cited.\n',
    });
    const result = await dispatch(['submit', file]);
    expect(receiptOf(result).verb).toBe('created');
    expect(result.stderr).toMatch(/^warning: .*\[\^spare\].*line 7/m);
  });

  describe('through the API', () => {
    const report = (body: string, slug: string) => ({
      title: `Footnotes ${slug}`,
      summary: 'A report about footnotes.',
      tier: 'subscriber',
      series: 'grid-watch',
      slug,
      body,
    });
    const subscriberBody = (extra = '') =>
      [
        'Public claim.[^1]',
        '',
        'Public detail in `[^code]` and in a fence below.',
        '',
        '```',
        '[^fenced]',
        '```',
        '',
        '<!-- paywall -->',
        '',
        'Paid claim.[^2]',
        extra,
        '',
        '[^1]: Defined after the cut.',
        '',
        '[^2]: Paid source.',
      ].join('\n');

    async function fieldsOf(response: Response) {
      expect(response.status).toBe(422);
      return ((await response.json()) as { error: { fields: { field: string; message: string }[] } }).error.fields;
    }

    it('accepts a body whose references all resolve, across the cut and past code', async () => {
      const response = await harness.api('/api/reports', { method: 'POST', json: report(subscriberBody(), 'fn-ok') });
      expect(response.status).toBe(201);
      const { warnings } = (await response.json()) as { warnings: string[] };
      expect(warnings.filter((warning) => warning.includes('never cited'))).toEqual([]);
    });

    it('refuses an undefined reference with 422 naming body and the line, on create, preview and update', async () => {
      const bad = subscriberBody('Unsourced paid claim.[^3]');
      const created = await harness.api('/api/reports', { method: 'POST', json: report(bad, 'fn-bad') });
      expect(await fieldsOf(created)).toEqual([
        { field: 'body', message: expect.stringMatching(/^line 12 .*\[\^3\]/) },
      ]);
      expect(await bySlug('fn-bad')).toEqual([]);

      const preview = await harness.api('/api/reports/preview', { method: 'POST', json: report(bad, 'fn-bad') });
      expect(await fieldsOf(preview)).toEqual([
        { field: 'body', message: expect.stringMatching(/^line 12 .*\[\^3\]/) },
      ]);

      const good = await harness.api('/api/reports', { method: 'POST', json: report(subscriberBody(), 'fn-update') });
      expect(good.status).toBe(201);
      const { id } = (await good.json()) as { id: string };
      const updated = await harness.api(`/api/reports/${id}`, {
        method: 'PUT',
        headers: { 'if-match': '"1"' },
        json: report(bad, 'fn-update'),
      });
      expect(await fieldsOf(updated)).toEqual([
        { field: 'body', message: expect.stringMatching(/^line 12 .*\[\^3\]/) },
      ]);
      expect((await stored(id)).revision).toBe(1);
    });

    it('warns about a definition nothing cites, on create, preview and update', async () => {
      const spare = `${subscriberBody()}\n\n[^spare]: Cited by nobody.\n`;
      const expected = expect.arrayContaining([expect.stringMatching(/\[\^spare\].*line 18.*never cited/)]);

      const created = await harness.api('/api/reports', { method: 'POST', json: report(spare, 'fn-spare') });
      expect(created.status).toBe(201);
      const { id, warnings } = (await created.json()) as { id: string; warnings: string[] };
      expect(warnings).toEqual(expected);

      const preview = await harness.api('/api/reports/preview', { method: 'POST', json: report(spare, 'fn-spare') });
      expect(preview.status).toBe(200);
      expect(((await preview.json()) as { warnings: string[] }).warnings).toEqual(expected);

      const updated = await harness.api(`/api/reports/${id}`, {
        method: 'PUT',
        headers: { 'if-match': '"1"' },
        json: report(spare, 'fn-spare'),
      });
      expect(updated.status).toBe(200);
      expect(((await updated.json()) as { warnings: string[] }).warnings).toEqual(expected);
    });
  });
});
