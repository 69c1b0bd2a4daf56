import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../../local/cli/main';
import { startHarness, type Harness } from './harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

async function dispatch(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    env: { DISPATCH_API_URL: harness.stack.apiUrl, DISPATCH_TOKEN: harness.stack.adminToken },
    cwd: process.cwd(),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { code, stdout, stderr };
}

it('submits, lists and unpublishes through the real API; a resubmit of the same file corrects the report', async () => {
  const first = await dispatch('submit', 'test/fixtures/report-subscriber.md');
  expect(first.code, first.stderr).toBe(0);
  const id = /^created \S+ r1 \((\S+)\)$/m.exec(first.stdout)?.[1] ?? '';
  expect(id).not.toBe('');
  const again = await dispatch('submit', 'test/fixtures/report-subscriber.md');
  expect(again.stdout).toContain(`updated kestrel-valley-substation-outages r2 (${id})`);

  const listed = await dispatch('reports', 'list');
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain('kestrel-valley-substation-outages');

  const unpublished = await dispatch('unpublish', id);
  expect(unpublished.code, unpublished.stderr).toBe(0);
  await harness.stack.drain();
  const feed = await (await fetch(`${harness.stack.apiUrl}/feeds/rss.xml`)).text();
  expect(feed).not.toContain('Kestrel Valley');
});

it('prints one clear line and exits non-zero when the API refuses', async () => {
  const result = await dispatch('unpublish', '01JZZZZZZZZZZZZZZZZZZZZZZZ');
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain('404');
});

it('imports a CSV with a series column through the real API: an unknown series rejects its row with the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dispatch-cli-series-'));
  const csv = join(dir, 'readers.csv');
  await writeFile(
    csv,
    [
      'email,tier,series',
      'both@series.test,paid,grid-watch;harbour-ledger',
      'one@series.test,free,harbour-ledger',
      'all@series.test,free,',
      'typo@series.test,free,grid-watch;reef-watch',
    ].join('\n'),
  );
  try {
    const result = await dispatch('subscribers', 'import', csv);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('imported 3, rejected 1\n');
    expect(result.stdout).toMatch(
      /line 5: typo@series\.test: 422 validation_failed: series: unknown series "reef-watch"; configured: grid-watch, harbour-ledger/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const listed = await dispatch('subscribers', 'list', '--all');
  const seriesOf = (email: string) =>
    listed.stdout
      .split('\n')
      .find((line) => line.startsWith(email))
      ?.split(/\s+/)
      .at(-1);
  expect(seriesOf('both@series.test')).toBe('grid-watch,harbour-ledger');
  expect(seriesOf('one@series.test')).toBe('harbour-ledger');
  expect(seriesOf('all@series.test')).toBe('all');
  expect(seriesOf('typo@series.test')).toBeUndefined();

  const none = await dispatch('subscribers', 'series', 'one@series.test', '--series', '');
  expect(none).toMatchObject({ code: 0, stdout: 'one@series.test: no series (no digest)\n' });
  const all = await dispatch('subscribers', 'series', 'both@series.test', '--all-series');
  expect(all.code, all.stderr).toBe(0);
  const after = await dispatch('subscribers', 'list', '--all');
  expect(after.stdout).toMatch(/^one@series\.test\s.*\snone$/m);
  expect(after.stdout).toMatch(/^both@series\.test\s.*\sall$/m);
  const unknown = await dispatch('subscribers', 'series', 'one@series.test', '--series', 'reef-watch');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('series: unknown series "reef-watch"');
  const stranger = await dispatch('subscribers', 'series', 'nobody@series.test', '--all-series');
  expect(stranger.code).toBe(1);
  expect(stranger.stderr).toContain('no subscriber has the address nobody@series.test');
});
