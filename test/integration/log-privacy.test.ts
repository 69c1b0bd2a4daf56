import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { logger } from '../../lambdas/adapters/logger';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import { startHarness, type Harness } from './harness';

/**
 * Issue 11, finding 4: the gateway's access log printed `PUT /api/subscribers/free1@example.org`. This runs the
 * flows that carry addresses, tokens and paid text through every layer, with every log on, and looks for any
 * of them in everything the process printed: the stack's own log lines and the handlers' JSON logs.
 */
const PAID = 'Quarantined finding: turbine T-88 ran unsupervised for nine hours';
const ADDRESSES = [
  'free1@example.org',
  'paid.reader@example.org',
  'signup.someone@example.org',
  'digest.tester@example.org',
  'stripe.payer@example.org',
];

let harness: Harness;
const lines: string[] = [];
const printed: string[] = [];
const originals = {
  stdout: process.stdout.write.bind(process.stdout),
  stderr: process.stderr.write.bind(process.stderr),
};

function capture(stream: 'stdout' | 'stderr') {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return (originals[stream] as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
}

beforeAll(async () => {
  logger.setLogLevel('DEBUG');
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  harness = await startHarness({ log: (line) => lines.push(line) });
});

afterAll(async () => {
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
  logger.setLogLevel('SILENT');
  await harness?.close();
});

it('no log line carries an address, a token or paid text', async () => {
  const secrets: string[] = [...ADDRESSES, PAID.slice(0, 30), harness.stack.adminToken];
  /** The text of the first mail to `to` that contains `having`. */
  const inbox = async (to: string, having = ''): Promise<string> => {
    const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as {
      emails: { destination: { to: string[] }; body: { text?: string } }[];
    };
    return (
      emails.find((mail) => mail.destination.to.includes(to) && (mail.body.text ?? '').includes(having))?.body.text ??
      ''
    );
  };

  // Admin writes with the address in the path (the original finding), a paid reader's feed URL, an editor.
  for (const [email, tier] of [
    ['free1@example.org', 'free'],
    ['paid.reader@example.org', 'paid'],
  ]) {
    const put = await harness.api(`/api/subscribers/${encodeURIComponent(email as string)}`, {
      method: 'PUT',
      json: { tier, status: 'active' },
    });
    expect(put.status).toBe(200);
  }
  const editor = await harness.api('/api/editors', { method: 'POST', json: { name: 'Log Checker', role: 'editor' } });
  const editorToken = ((await editor.json()) as { token: string }).token;
  secrets.push(editorToken);
  const report = await harness.api('/api/reports', {
    method: 'POST',
    token: editorToken,
    json: {
      title: 'Turbine supervision gaps',
      summary: 'Supervision gaps at the Kestrel wind farm.',
      body: `Public one.\n\nPublic two.\n\n<!-- paywall -->\n\n${PAID}.`,
      tier: 'subscriber',
      series: 'grid-watch',
    },
  });
  expect(report.status).toBe(201);
  await harness.stack.drain();
  const feed = await harness.api(`/api/subscribers/${encodeURIComponent('paid.reader@example.org')}/feed-url`);
  const feedUrl = ((await feed.json()) as { url: string }).url;
  const feedToken = /\/feeds\/private\/([^/]+)\//.exec(feedUrl)?.[1] as string;
  secrets.push(feedToken);
  expect((await fetch(feedUrl)).status).toBe(200);

  // A member signs in (the link's token, the session cookie), reads the paid text on the member page, signs out.
  const { slug } = (await report.json()) as { slug: string };
  const login = { method: 'POST', token: null, json: { email: 'paid.reader@example.org' } } as const;
  expect((await harness.api('/api/members/login', login)).status).toBe(202);
  await harness.stack.drain();
  const signInUrl = /http:\/\/\S+\/api\/members\/session\?token=\S+/.exec(
    await inbox('paid.reader@example.org', '/api/members/session'),
  )?.[0] as string;
  const signInToken = new URL(signInUrl).searchParams.get('token') as string;
  secrets.push(signInToken);
  expect((await fetch(signInUrl)).status).toBe(200);
  const session = await fetch(`${harness.stack.apiUrl}/api/members/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: signInToken }).toString(),
  });
  expect(session.status).toBe(303);
  const cookie = session.headers.getSetCookie()[0]?.split(';')[0] as string;
  secrets.push(cookie.slice('dispatch_member='.length));
  const memberPage = await fetch(`${harness.stack.apiUrl}/members/reports/${slug}/`, { headers: { cookie } });
  expect(await memberPage.text()).toContain(PAID.slice(0, 30));
  const logout = { method: 'POST', redirect: 'manual', headers: { cookie } } as const;
  expect((await fetch(`${harness.stack.apiUrl}/api/members/logout`, logout)).status).toBe(303);

  // A public sign-up, its confirmation link, then one-click unsubscribe from the digest.
  expect(
    (await harness.api('/api/subscribers', { method: 'POST', token: null, json: { email: ADDRESSES[2] } })).status,
  ).toBe(202);
  await harness.stack.drain();
  const confirmUrl = /http:\/\/\S+\/api\/subscribers\/confirm\?token=\S+/.exec(
    await inbox(ADDRESSES[2] as string),
  )?.[0];
  expect(confirmUrl).toBeDefined();
  const confirmToken = new URL(confirmUrl as string).searchParams.get('token') as string;
  secrets.push(confirmToken);
  expect((await fetch(confirmUrl as string)).status).toBe(200);

  // The console's reads and the digest test send: an address prefix in the query, an address in the body.
  expect((await harness.api('/api/subscribers?q=free1%40example.org')).status).toBe(200);
  const testSend = await harness.api('/api/digests/test', {
    method: 'POST',
    json: { email: ADDRESSES[3], tier: 'paid' },
  });
  expect(testSend.status).toBe(202);

  const digest = await harness.api('/api/digests', { method: 'POST' });
  expect(digest.status).toBe(202);
  await harness.stack.drain();
  const digestText = await inbox('paid.reader@example.org', '/api/unsubscribe');
  const unsubscribeToken = /\/api\/unsubscribe\?token=([^\s"<>&\]]+)/.exec(digestText)?.[1];
  expect(unsubscribeToken).toBeDefined();
  secrets.push(decodeURIComponent(unsubscribeToken as string));
  expect(
    (await fetch(`${harness.stack.apiUrl}/api/unsubscribe?token=${unsubscribeToken}`, { method: 'POST' })).status,
  ).toBe(200);

  // The manage page: shown, a choice saved, a choice refused, a forged link.
  const free = await harness.api('/api/subscribers/free1%40example.org', { method: 'PUT', json: {} });
  const { subscriberId } = (await free.json()) as { subscriberId: string };
  const tokens = new SubscriberTokens((await readFile(join(harness.dataDir, 'token-secret'), 'utf8')).trim());
  const manageToken = tokens.manageToken(subscriberId);
  secrets.push(manageToken);
  const manage = `${harness.stack.apiUrl}/api/subscribers/manage?token=${manageToken}`;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  expect((await fetch(manage)).status).toBe(200);
  expect((await fetch(manage, { method: 'POST', headers: form, body: 'series=grid-watch' })).status).toBe(200);
  expect((await fetch(manage, { method: 'POST', headers: form, body: 'series=nope' })).status).toBe(422);
  expect((await fetch(`${manage}x`, { method: 'POST', headers: form, body: 'action=unsubscribe' })).status).toBe(400);
  // Stripe: a paid checkout (the address in the signed body, a signature in the header), and a forged one.
  const stripeSecret = harness.stack.stripeWebhookSecret.value;
  const payload = JSON.stringify({
    id: 'evt_log_privacy',
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: 'cs_log_privacy',
        customer: 'cus_log_privacy',
        subscription: 'sub_log_privacy',
        customer_details: { email: ADDRESSES[4] },
        payment_status: 'paid',
      },
    },
  });
  for (const secret of [stripeSecret, 'whsec_forged_for_the_log_check']) {
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    secrets.push(signature, secret);
    const billed = await fetch(`${harness.stack.apiUrl}/api/billing/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    expect(billed.status).toBe(secret === stripeSecret ? 200 : 400);
  }

  // Requests that fail, too: a bad token, a bad address, a route that does not exist.
  await fetch(`${harness.stack.apiUrl}/api/subscribers/confirm?token=${confirmToken}x`);
  await harness.api(`/api/subscribers/${encodeURIComponent('nobody@@example.org')}`, { method: 'PUT', json: {} });
  await fetch(`${harness.stack.apiUrl}/api/subscriber/${ADDRESSES[0]}`);
  await fetch(`${harness.stack.apiUrl}/${ADDRESSES[0]}`);
  await harness.stack.drain();

  const everything = [...lines, ...printed].join('\n');
  expect(lines.length).toBeGreaterThan(10);
  expect(printed.join('')).toContain('"Request handled"');
  for (const secret of secrets.flatMap((value) => [value, encodeURIComponent(value)])) {
    expect(everything, `a log line carries ${secret.slice(0, 12)}…`).not.toContain(secret);
  }
  // The route templates are what the access log shows instead.
  expect(lines).toContainEqual(expect.stringMatching(/^PUT \/api\/subscribers\/\{email\} 200 \d+ms$/));
  expect(lines).toContainEqual(expect.stringMatching(/^GET \/feeds\/private\/\{token\}\/\{file\} 200 \d+ms$/));
  expect(lines).toContainEqual(expect.stringMatching(/^GET \/members\/reports\/\{slug\} 200 \d+ms$/));
}, 60_000);
