import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateReaders, startHarness, type Harness } from './harness';

/**
 * Issue 10, findings 2 and 3 and items 3–5: an edition can be paused, resumed and cancelled; unpublishing a report
 * pauses the edition that is sending it, and the resumed edition no longer carries it; the status says the truth.
 * One local stack, the publication's real send rate (14/s), 60 readers.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

const READERS = Array.from({ length: 60 }, (_, i) => `reader${String(i).padStart(2, '0')}@control.test`);
let harness: Harness;

async function mailsOf(editionId: string): Promise<StoredMail[]> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.headers?.some((h) => h.name === 'X-Dispatch-Edition' && h.value === editionId));
}

async function progress(id: string): Promise<Record<string, unknown> & { status: string; sent: number }> {
  return (await (await harness.api(`/api/digests/${id}`)).json()) as Record<string, unknown> & {
    status: string;
    sent: number;
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function submit(title: string, body: string): Promise<string> {
  const response = await harness.api('/api/reports', {
    method: 'POST',
    json: { title, summary: `${title}, in one line.`, body, tier: 'complimentary', series: 'grid-watch' },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function startEdition(): Promise<string> {
  const response = await harness.api('/api/digests', { method: 'POST', json: {} });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

beforeAll(async () => {
  harness = await startHarness();
  await activateReaders(harness, READERS, 'free');
});

afterAll(async () => {
  await harness?.close();
});

describe('edition control', () => {
  it('an unpublish pauses the sending edition within 2 s; resume sends the rest without the report', async () => {
    await submit('Kestrel tariff hearing opens', 'The hearing opened.\n\nIt runs a week.');
    const doomed = await submit('Brannock relay rumour', 'A rumour went round.\n\nIt was wrong.');
    const id = await startEdition();
    await until(
      () => progress(id),
      (state) => state.sent >= 5,
    );

    const unpublished = await harness.api(`/api/reports/${doomed}`, { method: 'DELETE' });
    expect(((await unpublished.json()) as { pausedEditions: string[] }).pausedEditions).toEqual([id]);
    const paused = await progress(id);
    expect(paused).toMatchObject({ status: 'paused', reason: expect.stringContaining(doomed) });

    // Mail already on its way when the pause landed may finish; after 2 s nothing more starts.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const atRest = (await mailsOf(id)).length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await mailsOf(id)).length).toBe(atRest);
    expect(atRest).toBeLessThan(READERS.length);

    const resumed = await harness.api(`/api/digests/${id}/resume`, { method: 'POST' });
    expect(resumed.status).toBe(200);
    const done = await until(
      () => progress(id),
      (state) => state.status === 'sent',
    );
    expect(done).toMatchObject({ status: 'sent', sent: READERS.length, remaining: 0, unknown: 0 });
    expect(done.reason).toBeUndefined();

    const mails = await mailsOf(id);
    const perReader = new Map<string, number>();
    for (const mail of mails) for (const to of mail.destination.to) perReader.set(to, (perReader.get(to) ?? 0) + 1);
    expect(READERS.filter((email) => perReader.get(email) !== 1)).toEqual([]);
    // Mails after the resume carry the edition as it is now: without the unpublished report.
    const after = mails.slice(atRest);
    expect(after.length).toBeGreaterThan(0);
    for (const mail of after) {
      expect(mail.body.html).toContain('Kestrel tariff hearing opens');
      expect(mail.body.html).not.toContain('Brannock relay rumour');
    }
  });

  it('a report republished into a paused edition joins it on resume, and a later tier change pauses it', async () => {
    const late = await submit('Sluice gate audit', 'The audit began.\n\nIt found little.');
    expect((await harness.api(`/api/reports/${late}`, { method: 'DELETE' })).status).toBe(200);
    await submit('Pier repairs', 'Repairs began.\n\nThey run a month.');
    const id = await startEdition();
    expect((await harness.api(`/api/digests/${id}/pause`, { method: 'POST' })).status).toBe(200);
    const republish = await harness.api(`/api/reports/${late}`, {
      method: 'PUT',
      json: {
        title: 'Sluice gate audit',
        summary: 'x.',
        body: 'The audit began.\n\nIt found little.',
        tier: 'complimentary',
        series: 'grid-watch',
      },
    });
    expect(republish.status).toBe(200);
    expect((await harness.api(`/api/digests/${id}/resume`, { method: 'POST' })).status).toBe(200);
    const joined = await until(
      () => progress(id),
      (state) => (state.reportIds as string[]).includes(late),
    );
    expect(joined.reportIds).toContain(late);
    const flip = await harness.api(`/api/reports/${late}`, {
      method: 'PUT',
      json: {
        title: 'Sluice gate audit',
        summary: 'x.',
        body: 'The audit began.\n\nIt found little.\n\n<!-- paywall -->\n\nlatecanary paid.',
        tier: 'subscriber',
        series: 'grid-watch',
      },
    });
    const { pausedEditions } = (await flip.json()) as { pausedEditions: string[] };
    const state = await progress(id);
    // Either the flip caught the edition still sending and paused it, or every mail had already gone out.
    if (state.status !== 'sent') expect(pausedEditions).toEqual([id]);
    await harness.api(`/api/digests/${id}/cancel`, { method: 'POST' });
    await harness.stack.drain();
    for (const mail of await mailsOf(id)) expect(mail.body.html).not.toContain('latecanary');
  });

  it('pause and cancel: pause stops new mail, cancel ends the edition with the rest not sent', async () => {
    await submit('Harbour dues rise', 'Dues rise in spring.\n\nBy four per cent.');
    const id = await startEdition();
    await until(
      () => progress(id),
      (state) => state.sent >= 3,
    );
    const pause = await harness.api(`/api/digests/${id}/pause`, { method: 'POST', json: { reason: 'typo in lead' } });
    expect(pause.status).toBe(200);
    expect(await pause.json()).toMatchObject({ status: 'paused', reason: 'typo in lead' });
    expect((await harness.api(`/api/digests/${id}/pause`, { method: 'POST' })).status).toBe(409);

    const cancel = await harness.api(`/api/digests/${id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    await harness.stack.drain();
    const final = await progress(id);
    expect(final).toMatchObject({ status: 'cancelled', reason: expect.stringContaining('cancelled') });
    expect((await harness.api(`/api/digests/${id}/resume`, { method: 'POST' })).status).toBe(409);
    expect((await mailsOf(id)).length).toBe(final.sent);
    expect(final.sent).toBeLessThan(READERS.length);
  });

  it('lists deliveries by outcome and refuses retry-unknown when there is nothing unknown', async () => {
    await submit('Tide tables', 'New tables.\n\nFor the spring.');
    const id = await startEdition();
    await until(
      () => progress(id),
      (state) => state.status === 'sent',
    );
    const listing = await harness.api(`/api/digests/${id}/deliveries?outcome=sent`);
    expect(listing.status).toBe(200);
    const sent = (await listing.json()) as { count: number; deliveries: { email: string }[] };
    expect(sent.count).toBe(READERS.length);
    expect(sent.deliveries.map((delivery) => delivery.email).sort()).toEqual(READERS);
    expect((await harness.api(`/api/digests/${id}/deliveries?outcome=nonsense`)).status).toBe(422);
    expect((await harness.api(`/api/digests/${id}/retry-unknown`, { method: 'POST' })).status).toBe(409);
  });
});
