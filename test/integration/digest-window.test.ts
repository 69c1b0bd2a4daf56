import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  const put = await harness.api(`/api/subscribers/${encodeURIComponent('window@example.org')}`, {
    method: 'PUT',
    json: { tier: 'free', status: 'active' },
  });
  expect(put.status).toBe(200);
});

afterAll(async () => {
  await harness?.close();
});

const report = (title: string, publishAt: string) => ({
  title,
  summary: `${title}: summary.`,
  body: 'Everyone may read this.\n\nIt is complimentary.',
  tier: 'complimentary',
  series: 'grid-watch',
  publishAt,
});

async function subjects(): Promise<string[]> {
  const store = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as {
    emails: { subject: string; destination: { to: string[] } }[];
  };
  return store.emails.filter((mail) => mail.destination.to.includes('window@example.org')).map((mail) => mail.subject);
}

it('mails a scheduled report the sweeper had not listed yet in the next edition instead of never', async () => {
  expect(
    (
      await harness.api('/api/reports', {
        method: 'POST',
        json: report('Listed report', new Date(Date.now() - 3_600_000).toISOString()),
      })
    ).status,
  ).toBe(201);
  const soon = new Date(Date.now() + 1500).toISOString();
  expect((await harness.api('/api/reports', { method: 'POST', json: report('Late-listed report', soon) })).status).toBe(
    201,
  );
  await new Promise((resolve) => setTimeout(resolve, 2000)); // its publishAt passes; no sweep has run

  expect((await harness.api('/api/digests', { method: 'POST', json: {} })).status).toBe(202);
  await harness.stack.drain();
  expect(await subjects()).toEqual([expect.stringContaining('Listed report')]);

  await harness.stack.fireSchedule('release-sweeper', new Date());
  await harness.stack.drain();
  expect((await harness.api('/api/digests', { method: 'POST', json: {} })).status).toBe(202);
  await harness.stack.drain();
  const sent = await subjects();
  expect(sent).toHaveLength(2);
  expect(sent[1]).toContain('Late-listed report');
});
