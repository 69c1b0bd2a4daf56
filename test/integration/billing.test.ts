import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

/**
 * Stripe webhooks against the real local stack: events signed with the package's own test-header helper and the
 * stack's signing secret, posted through the gateway as Stripe posts them; readers read back through the admin API.
 */
const PAID_MARKER = 'LYNX-6604';
const SECRET_TEXT = `Vault-only finding: breaker ${PAID_MARKER} at Osterby was bypassed for eleven days.`;

let harness: Harness;
let signingSecret: string;
/** Event times (Unix seconds) in the recent past, so any signature timestamp is fresh. */
let clock = Math.floor(Date.now() / 1000) - 3000;
const tick = (): number => (clock += 10);
let serial = 0;
const unique = (prefix: string): string => `${prefix}_${Date.now().toString(36)}${(serial += 1)}`;

interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

interface Reader {
  email: string;
  tier: string;
  status: string;
  feedTokenVersion: number;
}

interface Answer {
  status: number;
  body: { received?: boolean; outcome?: string; tier?: string; error?: { code: string; message: string } };
}

function stripeEvent(type: string, object: Record<string, unknown>, created = tick(), id = unique('evt')) {
  return { id, object: 'event', api_version: '2025-03-31.basil', type, created, livemode: false, data: { object } };
}

function checkout(
  email: string,
  customer: string | null,
  options: {
    subscription?: string | null;
    created?: number;
    id?: string;
    paymentStatus?: string;
    mode?: string;
    paymentIntent?: string;
  } = {},
) {
  return stripeEvent(
    'checkout.session.completed',
    {
      id: unique('cs'),
      object: 'checkout.session',
      mode: options.mode ?? (options.subscription === null ? 'payment' : 'subscription'),
      customer,
      subscription: options.subscription === undefined ? unique('sub') : options.subscription,
      customer_details: { email, name: 'A Reader' },
      customer_email: null,
      payment_status: options.paymentStatus ?? 'paid',
      payment_intent: options.paymentIntent ?? null,
    },
    options.created,
    options.id,
  );
}

function subscriptionEvent(
  type: 'customer.subscription.updated' | 'customer.subscription.deleted',
  customer: string,
  subscription: string,
  status: string,
  options: { created?: number; periodEnd?: number } = {},
) {
  // A recent API version: the period sits on the subscription items.
  return stripeEvent(
    type,
    {
      id: subscription,
      object: 'subscription',
      customer,
      status,
      items: {
        object: 'list',
        data: [
          { id: unique('si'), object: 'subscription_item', current_period_end: options.periodEnd ?? clock + 86_400 },
        ],
      },
    },
    options.created,
  );
}

async function deliver(
  event: object | string,
  options: { secret?: string; timestamp?: number; signature?: string | null } = {},
): Promise<Answer> {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const signature =
    options.signature !== undefined
      ? options.signature
      : Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: options.secret ?? signingSecret,
          ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
        });
  const response = await harness.api('/api/billing/stripe', {
    method: 'POST',
    token: null,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(signature === null ? {} : { 'stripe-signature': signature }),
    },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function reader(email: string): Promise<Reader | undefined> {
  const response = await harness.api(`/api/subscribers?q=${encodeURIComponent(email)}`);
  expect(response.status).toBe(200);
  const { items } = (await response.json()) as { items: Reader[] };
  return items.find((item) => item.email === email);
}

async function setReader(email: string, body: Record<string, unknown>): Promise<void> {
  const response = await harness.api(`/api/subscribers/${encodeURIComponent(email)}`, { method: 'PUT', json: body });
  expect(response.status).toBe(200);
}

async function feedUrl(email: string): Promise<string> {
  const response = await harness.api(`/api/subscribers/${encodeURIComponent(email)}/feed-url`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { url: string }).url;
}

/** A reader who paid at checkout: the customer and subscription ids, and the checkout's event time. */
async function paidReader(email: string): Promise<{ customer: string; subscription: string; created: number }> {
  const customer = unique('cus');
  const subscription = unique('sub');
  const created = tick();
  const answer = await deliver(checkout(email, customer, { subscription, created }));
  expect(answer).toEqual({ status: 200, body: { received: true, outcome: 'applied', tier: 'paid' } });
  return { customer, subscription, created };
}

beforeAll(async () => {
  harness = await startHarness();
  signingSecret = harness.stack.stripeWebhookSecret.value;
  const response = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title: 'Osterby breaker bypass',
      summary: 'A breaker at Osterby ran bypassed; the public filings show when.',
      body: `The operator filed a notice.\n\nThe regulator asked why.\n\n<!-- paywall -->\n\n${SECRET_TEXT}`,
      tier: 'subscriber',
      series: 'grid-watch',
    },
  });
  expect(response.status).toBe(201);
  await harness.stack.drain();
});

afterAll(async () => {
  await harness?.close();
});

describe('POST /api/billing/stripe', () => {
  it('keeps its signing secret in the data dir, in Stripe shape, readable by the owner only', async () => {
    const { file, value } = harness.stack.stripeWebhookSecret;
    expect(value).toMatch(/^whsec_[\w-]{20,}$/);
    expect(file).toBe(`${harness.dataDir}/stripe-webhook-secret`);
    const { readFile, stat } = await import('node:fs/promises');
    // Exactly the secret: a script that signs with what it reads, trimmed or not, signs with the right key.
    expect(await readFile(file as string, 'utf8')).toBe(value);
    expect((await stat(file as string)).mode & 0o777).toBe(0o600);
  });

  it('makes a new address from checkout a paid active reader whose next digest carries the paid text', async () => {
    const email = 'new.payer@billing.test';
    expect(await reader(email)).toBeUndefined();
    await paidReader(email);
    expect(await reader(email)).toMatchObject({ tier: 'paid', status: 'active' });

    const sent = await harness.api('/api/digests', { method: 'POST', json: {} });
    expect(sent.status).toBe(202);
    await harness.stack.drain();
    const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
    const mine = emails.filter((mail) => mail.destination.to.includes(email));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.body.html).toContain(PAID_MARKER);
    expect(mine[0]?.body.text).toContain(PAID_MARKER);
    expect(mine[0]?.body.html).toContain('/feeds/private/');
  });

  it('serves the private feed once paid, and not after the subscription is canceled', async () => {
    const email = 'feed.payer@billing.test';
    const { customer, subscription } = await paidReader(email);
    const url = await feedUrl(email);
    const open = await fetch(url);
    expect(open.status).toBe(200);
    expect(await open.text()).toContain(PAID_MARKER);

    const canceled = await deliver(
      subscriptionEvent('customer.subscription.updated', customer, subscription, 'canceled'),
    );
    expect(canceled).toEqual({ status: 200, body: { received: true, outcome: 'applied', tier: 'free' } });
    const closed = await fetch(url);
    expect(closed.status).toBe(404);
    expect(await closed.text()).toBe('');
    expect(await reader(email)).toMatchObject({ tier: 'free', status: 'active' });
  });

  it.each([
    ['customer.subscription.updated', 'active', 'paid'],
    ['customer.subscription.updated', 'trialing', 'paid'],
    ['customer.subscription.updated', 'unpaid', 'free'],
    ['customer.subscription.updated', 'canceled', 'free'],
    ['customer.subscription.updated', 'incomplete_expired', 'free'],
    ['customer.subscription.deleted', 'canceled', 'free'],
  ] as const)('%s with status %s leaves the reader %s', async (type, status, tier) => {
    const email = `${status}.${type.split('.').at(-1)}@billing.test`;
    const { customer, subscription } = await paidReader(email);
    if (tier === 'paid') await setReader(email, { tier: 'free' });
    const answer = await deliver(subscriptionEvent(type, customer, subscription, status));
    expect(answer).toEqual({ status: 200, body: { received: true, outcome: 'applied', tier } });
    expect(await reader(email)).toMatchObject({ tier, status: 'active' });
  });

  it('keeps a past-due reader paid until the paid period ends, then the billing sweeper makes them free', async () => {
    const email = 'late.payer@billing.test';
    const { customer, subscription } = await paidReader(email);
    const periodEnd = Math.floor(Date.now() / 1000) + 3600;
    const answer = await deliver(
      subscriptionEvent('customer.subscription.updated', customer, subscription, 'past_due', { periodEnd }),
    );
    expect(answer.body).toMatchObject({ outcome: 'applied', tier: 'paid' });

    await harness.stack.fireSchedule('billing-sweeper', new Date((periodEnd - 60) * 1000));
    expect(await reader(email)).toMatchObject({ tier: 'paid' });
    await harness.stack.fireSchedule('billing-sweeper', new Date((periodEnd + 60) * 1000));
    expect(await reader(email)).toMatchObject({ tier: 'free', status: 'active' });
  });

  it('makes a past-due reader free at once when the paid period has already ended', async () => {
    const email = 'long.overdue@billing.test';
    const { customer, subscription } = await paidReader(email);
    const periodEnd = Math.floor(Date.now() / 1000) - 60;
    const answer = await deliver(
      subscriptionEvent('customer.subscription.updated', customer, subscription, 'past_due', { periodEnd }),
    );
    expect(answer.body).toMatchObject({ outcome: 'applied', tier: 'free' });
  });

  it('changes nothing on a replay of the same event id, and answers 200', async () => {
    const email = 'replayed@billing.test';
    const event = checkout(email, unique('cus'));
    expect((await deliver(event)).body).toMatchObject({ outcome: 'applied', tier: 'paid' });
    // The reader unsubscribes from mail; Stripe then delivers the same checkout again.
    await setReader(email, { status: 'unsubscribed' });
    const replay = await deliver(event);
    expect(replay).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
    expect(await reader(email)).toMatchObject({ tier: 'paid', status: 'unsubscribed' });
  });

  it('resolves reordered events by their own times: canceled at t2 before active at t1 stays free', async () => {
    const email = 'reordered@billing.test';
    const { customer, subscription, created } = await paidReader(email);
    const t1 = created + 1;
    const t2 = created + 2;
    const canceled = subscriptionEvent('customer.subscription.updated', customer, subscription, 'canceled', {
      created: t2,
    });
    const active = subscriptionEvent('customer.subscription.updated', customer, subscription, 'active', {
      created: t1,
    });
    expect((await deliver(canceled)).body).toMatchObject({ outcome: 'applied', tier: 'free' });
    expect(await deliver(active)).toEqual({ status: 200, body: { received: true, outcome: 'superseded' } });
    expect(await reader(email)).toMatchObject({ tier: 'free' });
  });

  it('keeps a subscription event that arrives before its checkout, and applies it when the checkout maps the customer', async () => {
    const email = 'early.event@billing.test';
    const customer = unique('cus');
    const subscription = unique('sub');
    const started = tick();
    const canceled = subscriptionEvent('customer.subscription.updated', customer, subscription, 'canceled', {
      created: started + 5,
    });
    expect(await deliver(canceled)).toEqual({ status: 200, body: { received: true, outcome: 'awaiting-checkout' } });
    expect(await reader(email)).toBeUndefined();

    // The checkout that started it arrives late: the address is mapped, and the stored cancellation still holds.
    const late = await deliver(checkout(email, customer, { subscription, created: started }));
    expect(late.body).toMatchObject({ outcome: 'applied', tier: 'free' });
    expect(await reader(email)).toMatchObject({ tier: 'free', status: 'active' });
  });

  it('activates a pending or unsubscribed address that pays, and only records the tier of a bounced one', async () => {
    await setReader('was.unsubscribed@billing.test', { status: 'unsubscribed' });
    await deliver(checkout('was.unsubscribed@billing.test', unique('cus')));
    expect(await reader('was.unsubscribed@billing.test')).toMatchObject({ tier: 'paid', status: 'active' });

    await setReader('bounced@billing.test', { status: 'bounced' });
    expect((await deliver(checkout('bounced@billing.test', unique('cus')))).body).toMatchObject({ tier: 'paid' });
    expect(await reader('bounced@billing.test')).toMatchObject({ tier: 'paid', status: 'bounced' });
  });

  it('makes a one-off payment without a Stripe customer a paid reader', async () => {
    const answer = await deliver(checkout('one.off@billing.test', null, { subscription: null }));
    expect(answer.body).toMatchObject({ outcome: 'applied', tier: 'paid' });
    expect(await reader('one.off@billing.test')).toMatchObject({ tier: 'paid', status: 'active' });
  });

  it('takes a checkout built by hand (no created, session id, customer or payment status) as a payment', async () => {
    const email = 'by.hand@billing.test';
    const bare = { id: unique('evt'), type: 'checkout.session.completed', data: { object: { customer_email: email } } };
    expect(await deliver(bare)).toEqual({ status: 200, body: { received: true, outcome: 'applied', tier: 'paid' } });
    expect(await reader(email)).toMatchObject({ tier: 'paid', status: 'active' });
    expect((await deliver(bare)).body).toMatchObject({ outcome: 'duplicate' });
  });

  it('moves the paid tier with a customer whose later checkout names another address: the earlier one is free', async () => {
    const { customer, subscription } = await paidReader('first.address@billing.test');
    const second = unique('sub');
    const moved = await deliver(checkout('second.address@billing.test', customer, { subscription: second }));
    expect(moved.body).toMatchObject({ outcome: 'applied', tier: 'paid' });
    expect(await reader('second.address@billing.test')).toMatchObject({ tier: 'paid', status: 'active' });
    expect(await reader('first.address@billing.test')).toMatchObject({ tier: 'free', status: 'active' });

    for (const ended of [subscription, second]) {
      await deliver(subscriptionEvent('customer.subscription.deleted', customer, ended, 'canceled'));
    }
    expect(await reader('second.address@billing.test')).toMatchObject({ tier: 'free' });
    expect(await reader('first.address@billing.test')).toMatchObject({ tier: 'free' });
  });

  it('never lets another customer’s unpaid checkout or ended subscription lower a paying address', async () => {
    const victim = 'still.paying@billing.test';
    await paidReader(victim);
    const stranger = unique('cus');
    const strangerSubscription = unique('sub');
    const unpaid = checkout(victim, stranger, { subscription: strangerSubscription, paymentStatus: 'unpaid' });
    expect((await deliver(unpaid)).body).toMatchObject({ outcome: 'applied', tier: 'paid' });
    expect(await reader(victim)).toMatchObject({ tier: 'paid' });
    await deliver(subscriptionEvent('customer.subscription.deleted', stranger, strangerSubscription, 'canceled'));
    expect(await reader(victim)).toMatchObject({ tier: 'paid' });

    // A reader an admin made paid, with no Stripe customer of their own: an unpaid checkout naming them is no payment.
    await setReader('granted@billing.test', { tier: 'paid', status: 'active' });
    await deliver(checkout('granted@billing.test', unique('cus'), { paymentStatus: 'unpaid' }));
    expect(await reader('granted@billing.test')).toMatchObject({ tier: 'paid' });
  });

  it('takes a setup-mode checkout (a saved card, nothing paid) for no payment at all', async () => {
    const setup = checkout('card.saved@billing.test', unique('cus'), {
      subscription: null,
      mode: 'setup',
      paymentStatus: 'no_payment_required',
    });
    await deliver(setup);
    expect(await reader('card.saved@billing.test')).toBeUndefined();
    await setReader('card.saved.free@billing.test', { tier: 'free', status: 'active' });
    await deliver({
      ...setup,
      id: unique('evt'),
      data: { object: { ...setup.data.object, customer_details: { email: 'card.saved.free@billing.test' } } },
    });
    expect(await reader('card.saved.free@billing.test')).toMatchObject({ tier: 'free' });
  });

  describe('a one-off payment, paid for good until it is refunded or a dispute is lost', () => {
    const refund = (paymentIntent: string, refunded: boolean, created?: number) =>
      stripeEvent(
        'charge.refunded',
        { id: unique('ch'), object: 'charge', payment_intent: paymentIntent, refunded, amount_refunded: 100 },
        created,
      );
    const lostDispute = (paymentIntent: string, status: string) =>
      stripeEvent('charge.dispute.closed', {
        id: unique('dp'),
        object: 'dispute',
        charge: unique('ch'),
        payment_intent: paymentIntent,
        status,
      });

    it.each([
      ['with a Stripe customer', 'refunded.customer@billing.test', true],
      ['without one', 'refunded.guest@billing.test', false],
    ])('%s: a partial refund keeps it, a full refund ends it', async (_case, email, withCustomer) => {
      const paymentIntent = unique('pi');
      const customer = withCustomer ? unique('cus') : null;
      await deliver(checkout(email, customer, { subscription: null, paymentIntent }));
      expect(await reader(email)).toMatchObject({ tier: 'paid' });
      expect((await deliver(refund(paymentIntent, false))).body).toMatchObject({ outcome: 'ignored' });
      expect(await reader(email)).toMatchObject({ tier: 'paid' });
      expect((await deliver(refund(paymentIntent, true))).body).toMatchObject({ outcome: 'applied', tier: 'free' });
      expect(await reader(email)).toMatchObject({ tier: 'free', status: 'active' });
    });

    it('ends with a lost dispute, and not with a won one', async () => {
      const email = 'disputed@billing.test';
      const paymentIntent = unique('pi');
      await deliver(checkout(email, unique('cus'), { subscription: null, paymentIntent }));
      expect((await deliver(lostDispute(paymentIntent, 'won'))).body).toMatchObject({ outcome: 'ignored' });
      expect(await reader(email)).toMatchObject({ tier: 'paid' });
      expect((await deliver(lostDispute(paymentIntent, 'lost'))).body).toMatchObject({ tier: 'free' });
      expect(await reader(email)).toMatchObject({ tier: 'free' });
    });

    it('stays ended when the refund arrives before the checkout', async () => {
      const email = 'refund.first@billing.test';
      const paymentIntent = unique('pi');
      const paidAt = tick();
      const early = await deliver(refund(paymentIntent, true, paidAt + 5));
      expect(early.body).toMatchObject({ outcome: 'awaiting-checkout' });
      await deliver(checkout(email, unique('cus'), { subscription: null, paymentIntent, created: paidAt }));
      expect(await reader(email)).not.toMatchObject({ tier: 'paid' });
    });
  });

  it('answers 200 to event types it does not act on, changing nothing', async () => {
    const answer = await deliver(
      stripeEvent('invoice.paid', { id: unique('in'), object: 'invoice', customer: 'cus_x' }),
    );
    expect(answer).toEqual({ status: 200, body: { received: true, outcome: 'ignored' } });
  });

  describe('refuses with 400 and changes nothing', () => {
    const email = 'forged@billing.test';
    const event = checkout(email, 'cus_forged');
    const stale = Math.floor(Date.now() / 1000) - 301;

    it.each([
      ['a missing Stripe-Signature header', { signature: null }, 'missing_signature'],
      ['a bad signature', { signature: 't=1700000000,v1=0123456789abcdef' }, 'invalid_signature'],
      ['another endpoint’s secret', { secret: 'whsec_not_this_endpoint' }, 'invalid_signature'],
      ['a stale timestamp', { timestamp: stale }, 'stale_signature'],
    ] as const)('%s', async (_case, options, code) => {
      const answer = await deliver(event, options);
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe(code);
      expect(JSON.stringify(answer.body)).not.toContain(signingSecret);
      expect(JSON.stringify(answer.body)).not.toContain(email);
      expect(await reader(email)).toBeUndefined();
    });

    it('and the same event, correctly signed, is then applied (the refusals did not mark it processed)', async () => {
      expect((await deliver(event)).body).toMatchObject({ outcome: 'applied', tier: 'paid' });
      expect(await reader(email)).toMatchObject({ tier: 'paid', status: 'active' });
    });

    it.each([
      ['a signed body that is not JSON', 'LEAKY-FRAGMENT not json'],
      ['a signed empty body', ''],
      ['a signed JSON value that is not an event', '["LEAKY-FRAGMENT"]'],
    ])('%s, as an invalid event that echoes nothing of it', async (_case, payload) => {
      const answer = await deliver(payload);
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe('invalid_event');
      expect(JSON.stringify(answer.body)).not.toContain('LEAKY-FRAGMENT');
    });

    it('a signed event whose ids are longer than any Stripe id, naming the field', async () => {
      const long = `cus_${'x'.repeat(3000)}`;
      for (const [event, field] of [
        [checkout('long.id@billing.test', long), 'data.object.customer'],
        [checkout('long.id@billing.test', unique('cus'), { id: `evt_${'y'.repeat(3000)}` }), 'id'],
        [subscriptionEvent('customer.subscription.updated', unique('cus'), long, 'active'), 'data.object.id'],
      ] as const) {
        const answer = await deliver(event);
        expect(answer.status).toBe(400);
        expect(answer.body.error?.code).toBe('invalid_event');
        expect(JSON.stringify(answer.body)).toContain(field);
      }
      expect(await reader('long.id@billing.test')).toBeUndefined();
    });

    it('a signed event billing acts on that lacks a field, naming it', async () => {
      const answer = await deliver(
        stripeEvent('customer.subscription.updated', { id: unique('sub'), status: 'active' }),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe('invalid_event');
      expect(JSON.stringify(answer.body)).toContain('data.object.customer');
    });
  });
});
