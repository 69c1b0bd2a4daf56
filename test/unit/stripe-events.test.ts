import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../lambdas/http/errors';
import {
  billingEventOf as billingEventAt,
  SIGNATURE_TOLERANCE_SECONDS,
  verifiedStripeEvent,
} from '../../lambdas/http/stripe-events';

const SECRET = 'whsec_unit_test_secret';
const now = new Date('2026-12-01T12:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

const event = (type: string, object: Record<string, unknown>) => ({
  id: 'evt_1',
  object: 'event',
  type,
  created: nowSeconds,
  data: { object },
});

const received = new Date('2026-12-01T12:00:07Z');
const receivedSeconds = Math.floor(received.getTime() / 1000);
const billingEventOf = (json: unknown) => billingEventAt(json, received);

function signed(payload: string, timestamp = nowSeconds, secret = SECRET): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

function refusal(run: () => unknown): { status: number; code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Stripe signature check', () => {
  const payload = JSON.stringify(event('customer.created', { id: 'cus_1' }));

  it('answers the event of a correctly signed, fresh body', () => {
    expect(verifiedStripeEvent(Buffer.from(payload), signed(payload), SECRET, now)).toMatchObject({ id: 'evt_1' });
  });

  it.each([
    ['no header', undefined, 'missing_signature'],
    ['an empty header', ' ', 'missing_signature'],
    ['another secret', signed(payload, nowSeconds, 'whsec_someone_else'), 'invalid_signature'],
    ['garbage', 't=1,v1=abc', 'invalid_signature'],
    ['a stale timestamp', signed(payload, nowSeconds - SIGNATURE_TOLERANCE_SECONDS - 1), 'stale_signature'],
  ])('refuses %s with a 400 that quotes nothing', (_case, header, code) => {
    const answer = refusal(() => verifiedStripeEvent(Buffer.from(payload), header, SECRET, now));
    expect(answer).toMatchObject({ status: 400, code });
    expect(answer.message).not.toContain(SECRET);
    expect(answer.message).not.toContain('cus_1');
  });

  it('refuses a body changed by one byte after signing', () => {
    const header = signed(payload);
    const changed = Buffer.from(payload.replace('cus_1', 'cus_2'));
    expect(refusal(() => verifiedStripeEvent(changed, header, SECRET, now)).code).toBe('invalid_signature');
  });

  it('tells a stale forgery as a forgery: the signature is checked before the age', () => {
    const header = signed(payload, nowSeconds - 3600, 'whsec_someone_else');
    expect(refusal(() => verifiedStripeEvent(Buffer.from(payload), header, SECRET, now)).code).toBe(
      'invalid_signature',
    );
  });

  it('checks the exact bytes, not a re-encoding of them', () => {
    const text = JSON.stringify(event('customer.created', { id: 'cus_1', name: 'Zoë — Ωmega 🚀' }));
    const bytes = Buffer.from(text, 'utf8');
    expect(verifiedStripeEvent(bytes, signed(text), SECRET, now)).toMatchObject({ id: 'evt_1' });
  });
});

describe('reading a verified event', () => {
  it('reads a checkout: the customer details email first, the customer and the subscription', () => {
    const read = billingEventOf(
      event('checkout.session.completed', {
        id: 'cs_1',
        customer: 'cus_1',
        subscription: 'sub_1',
        customer_details: { email: 'Reader@Example.org' },
        customer_email: 'other@example.org',
        payment_status: 'paid',
      }),
    );
    expect(read).toEqual({
      id: 'evt_1',
      type: 'checkout.session.completed',
      created: nowSeconds,
      kind: 'checkout',
      sessionId: 'cs_1',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      email: 'Reader@Example.org',
      paid: true,
    });
  });

  it('falls back to customer_email, takes expanded objects by id, and knows an unpaid session', () => {
    const read = billingEventOf(
      event('checkout.session.completed', {
        id: 'cs_1',
        customer: { id: 'cus_9', object: 'customer' },
        subscription: null,
        customer_details: null,
        customer_email: 'reader@example.org',
        payment_status: 'unpaid',
      }),
    );
    expect(read).toMatchObject({
      customerId: 'cus_9',
      subscriptionId: undefined,
      email: 'reader@example.org',
      paid: false,
    });
  });

  it('reads the period end from the subscription, or from its items in newer API versions', () => {
    const base = { id: 'sub_1', customer: 'cus_1', status: 'past_due' };
    expect(billingEventOf(event('customer.subscription.updated', { ...base, current_period_end: 1000 }))).toMatchObject(
      { kind: 'subscription', periodEnd: 1000, deleted: false },
    );
    expect(
      billingEventOf(
        event('customer.subscription.updated', {
          ...base,
          items: { object: 'list', data: [{ current_period_end: 1500 }, { current_period_end: 2000 }] },
        }),
      ),
    ).toMatchObject({ periodEnd: 2000 });
    expect(billingEventOf(event('customer.subscription.deleted', base))).toMatchObject({
      deleted: true,
      periodEnd: undefined,
    });
  });

  it('takes a setup-mode session for no payment, whatever its payment status', () => {
    const setup = { id: 'cs_1', customer: 'cus_1', customer_email: 'reader@example.org', mode: 'setup' };
    for (const status of ['no_payment_required', 'paid']) {
      expect(billingEventOf(event('checkout.session.completed', { ...setup, payment_status: status }))).toMatchObject({
        kind: 'checkout',
        paid: false,
      });
    }
  });

  it('reads a full refund and a lost dispute as the reversal of their payment, and nothing less', () => {
    const payment = { payment_intent: 'pi_1' };
    expect(billingEventOf(event('charge.refunded', { ...payment, refunded: true }))).toMatchObject({
      kind: 'reversal',
      paymentIntentId: 'pi_1',
    });
    expect(billingEventOf(event('charge.refunded', { ...payment, refunded: false }))).toMatchObject({
      kind: 'ignored',
    });
    expect(billingEventOf(event('charge.dispute.closed', { ...payment, status: 'lost' }))).toMatchObject({
      kind: 'reversal',
      paymentIntentId: 'pi_1',
    });
    for (const status of ['won', 'warning_closed']) {
      expect(billingEventOf(event('charge.dispute.closed', { ...payment, status }))).toMatchObject({
        kind: 'ignored',
      });
    }
    expect(billingEventOf(event('charge.refunded', { payment_intent: null, refunded: true }))).toMatchObject({
      kind: 'ignored',
    });
  });

  it('ignores every other event type', () => {
    expect(billingEventOf(event('invoice.paid', { id: 'in_1' }))).toMatchObject({
      kind: 'ignored',
      type: 'invoice.paid',
    });
  });

  it('reads a checkout built by hand: no created, session id or payment status', () => {
    const bare = {
      id: 'evt_hand',
      type: 'checkout.session.completed',
      data: { object: { customer_email: 'a@b.test' } },
    };
    expect(billingEventOf(bare)).toMatchObject({
      kind: 'checkout',
      id: 'evt_hand',
      created: receivedSeconds,
      sessionId: 'evt_hand',
      customerId: undefined,
      email: 'a@b.test',
      paid: true,
    });
    const sessionDated = { ...bare, data: { object: { id: 'cs_h', created: 1000, customer_email: 'a@b.test' } } };
    expect(billingEventOf(sessionDated)).toMatchObject({ created: 1000, sessionId: 'cs_h', paid: true });
    const setup = { ...bare, data: { object: { customer_email: 'a@b.test', mode: 'setup' } } };
    expect(billingEventOf(setup)).toMatchObject({ paid: false });
  });

  it('refuses a subscription event or a refund without created: it cannot be ordered', () => {
    const { created: _created, ...undated } = event('customer.subscription.updated', {
      id: 'sub_1',
      customer: 'cus_1',
      status: 'active',
    });
    expect(() => billingEventOf(undated)).toThrow(
      expect.objectContaining({ code: 'invalid_event', fields: [expect.objectContaining({ field: 'created' })] }),
    );
    const { created: _c, ...undatedRefund } = event('charge.refunded', { payment_intent: 'pi_1', refunded: true });
    expect(() => billingEventOf(undatedRefund)).toThrow(expect.objectContaining({ code: 'invalid_event' }));
  });

  it('refuses an event billing acts on that lacks a field, naming it', () => {
    let caught: unknown;
    try {
      billingEventOf(event('customer.subscription.updated', { id: 'sub_1', status: 'active' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ status: 400, code: 'invalid_event', fields: [{ field: 'data.object.customer' }] });
  });
});
