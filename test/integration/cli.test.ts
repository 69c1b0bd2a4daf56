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
