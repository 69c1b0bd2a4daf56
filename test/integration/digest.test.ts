import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateReaders, startHarness, type Harness } from './harness';

/** One local stack for the file: a real edition end to end, through the gateway, queues and SES emulator. */
interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

const SECRET = 'Vault-only finding: relay HERON-5521 at Brannock was tripped by hand on night nine.';
const FREE = ['free-a@digest.test', 'free-b@digest.test', 'free-c@digest.test'];
const PAID = ['paid-a@digest.test', 'paid-b@digest.test'];

let harness: Harness;

async function mails(): Promise<StoredMail[]> {
  const response = await fetch(`${harness.stack.sesUrl}/store`);
  const { emails } = (await response.json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.destination.to.some((to) => to.endsWith('@digest.test')));
}

const mailsTo = (all: StoredMail[], email: string) => all.filter((mail) => mail.destination.to.includes(email));
const header = (mail: StoredMail, name: string) =>
  mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

async function submit(title: string, tier: 'complimentary' | 'subscriber', body: string): Promise<void> {
  const response = await harness.api('/api/reports', {
    method: 'POST',
    json: { title, summary: `${title}: the short public summary.`, body, tier, series: 'grid-watch', tags: ['grid'] },
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  harness = await startHarness();
  await activateReaders(harness, FREE, 'free');
  await activateReaders(harness, PAID, 'paid');
  await submit(
    'Tariff review opens in the Kestrel Valley',
    'complimentary',
    'The regulator opened its review.\n\nHearings start in March.',
  );
  await submit(
    'Who tripped the Brannock relay',
    'subscriber',
    `Operators confirmed three outages.\n\nThe filings arrived late.\n\n<!-- paywall -->\n\n${SECRET}\n\nMore follows.`,
  );
  await harness.stack.drain();
});

afterAll(async () => {
  await harness?.close();
});

describe('digest editions', () => {
  it('previews the next edition per tier without leaking subscriber text to the free preview', async () => {
    const free = (await (await harness.api('/api/digests/preview?tier=free')).json()) as {
      subject: string;
      html: string;
    };
    const paid = (await (await harness.api('/api/digests/preview?tier=paid')).json()) as {
      subject: string;
      html: string;
    };
    expect(free.subject).toContain('Who tripped the Brannock relay');
    expect(free.html).not.toContain('HERON-5521');
    expect(paid.html).toContain('HERON-5521');
    expect((await harness.api('/api/digests/preview?tier=gold')).status).toBe(422);
  });

  it('sends exactly one mail per subscriber, each tier getting what it may read', async () => {
    const accepted = await harness.api('/api/digests', { method: 'POST', json: {} });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    await harness.stack.drain();

    const progress = (await (await harness.api(`/api/digests/${id}`)).json()) as Record<string, unknown>;
    expect(progress).toMatchObject({ id, status: 'sent', recipients: 5, sent: 5, failed: 0, suppressed: 0 });

    const all = await mails();
    for (const email of [...FREE, ...PAID]) expect(mailsTo(all, email)).toHaveLength(1);
    for (const email of FREE) {
      const [mail] = mailsTo(all, email);
      const visible = `${mail?.subject}\n${mail?.body.html}\n${mail?.body.text}`;
      expect(visible).not.toContain('HERON-5521');
      expect(mail?.body.text).toContain('Tariff review opens');
    }
    for (const email of PAID) {
      const [mail] = mailsTo(all, email);
      expect(mail?.body.html).toContain('HERON-5521');
      expect(mail?.body.text).toContain('HERON-5521');
      expect(mail?.body.html).toContain('/feeds/private/');
    }
    for (const mail of all) {
      expect(header(mail, 'List-Unsubscribe')).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/api\/unsubscribe\?token=[^>]+>$/);
      expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.body.text?.length).toBeGreaterThan(100);
    }
  });

  it('creates nothing for a second trigger of the same window', async () => {
    const before = (await mails()).length;
    const again = await harness.api('/api/digests', { method: 'POST', json: {} });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('nothing_to_send');
    await harness.stack.fireSchedule('digest', new Date());
    await harness.stack.drain();
    expect((await mails()).length).toBe(before);
  });

  it('leaves a reader who used one-click unsubscribe out of the next edition', async () => {
    const [mail] = mailsTo(await mails(), FREE[0] as string);
    const url = header(mail as StoredMail, 'List-Unsubscribe')?.slice(1, -1) as string;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');

    const forged = await fetch(
      url.replace(/token=([^&]+)/, (_, token: string) => `token=${token.slice(0, -2)}xx`),
      {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    );
    expect(forged.status).toBe(400);

    const oneClick = await fetch(url, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);

    await submit('Interconnector limits eased', 'complimentary', 'The northern interconnector is back to normal.');
    await harness.stack.drain();
    const accepted = await harness.api('/api/digests', { method: 'POST', json: {} });
    expect(accepted.status).toBe(202);
    await harness.stack.drain();

    const all = await mails();
    expect(mailsTo(all, FREE[0] as string)).toHaveLength(1);
    for (const email of [...FREE.slice(1), ...PAID]) expect(mailsTo(all, email)).toHaveLength(2);
  });

  it('suppresses hard bounces and complaints reported by SES and counts them on the edition', async () => {
    for (const email of ['bounce@simulator.amazonses.com', 'complaint@simulator.amazonses.com']) {
      await harness.api(`/api/subscribers/${encodeURIComponent(email)}`, {
        method: 'PUT',
        json: { tier: 'free', status: 'active' },
      });
    }
    await submit('Feedback drill', 'complimentary', 'A short complimentary note.');
    await harness.stack.drain();
    const accepted = await harness.api('/api/digests', { method: 'POST', json: {} });
    const { id } = (await accepted.json()) as { id: string };
    await harness.stack.drain();
    await harness.stack.pollSesFeedback();
    await harness.stack.pollSesFeedback();

    const progress = (await (await harness.api(`/api/digests/${id}`)).json()) as Record<string, unknown>;
    expect(progress).toMatchObject({ status: 'sent', bounced: 1, complained: 1 });
    for (const [email, status] of [
      ['bounce@simulator.amazonses.com', 'bounced'],
      ['complaint@simulator.amazonses.com', 'complained'],
    ] as const) {
      const again = await harness.api(`/api/subscribers/${encodeURIComponent(email)}/feed-url`);
      expect(((await again.json()) as { error: { message: string } }).error.message).toContain(status);
    }
  });
});
