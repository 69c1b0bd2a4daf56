import { describe, expect, it } from 'vitest';
import type { SubscriptionChanged } from '../../lambdas/core/billing/billing-events';
import {
  checkoutEntitlement,
  customerPaysAt,
  type Entitlement,
  graceEnd,
  ONE_OFF,
  paysAt,
  reversedEntitlement,
  subscriptionEntitlement,
  supersedes,
} from '../../lambdas/core/billing/entitlements';
import { billingUpdate } from '../../lambdas/core/billing/reader-changes';
import { applyAdminUpdate, type Subscriber } from '../../lambdas/core/subscribers/subscribers';

const now = new Date('2026-12-01T12:00:00Z');
const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
const T1 = seconds(now) - 3600;
const T2 = seconds(now) - 60;

const change = (overrides: Partial<SubscriptionChanged> = {}): SubscriptionChanged => ({
  kind: 'subscription',
  id: 'evt_1',
  type: 'customer.subscription.updated',
  created: T1,
  customerId: 'cus_1',
  subscriptionId: 'sub_1',
  status: 'active',
  deleted: false,
  periodEnd: undefined,
  ...overrides,
});
const snapshot = (overrides: Partial<SubscriptionChanged> = {}): Entitlement =>
  subscriptionEntitlement(change(overrides));

const reader = (overrides: Partial<Subscriber> = {}): Subscriber => ({
  email: 'reader@example.org',
  subscriberId: '01JD0000000000000000000000',
  tier: 'free',
  status: 'active',
  feedTokenVersion: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

describe('which subscription status pays', () => {
  it.each([
    ['active', true],
    ['trialing', true],
    ['canceled', false],
    ['unpaid', false],
    ['incomplete', false],
    ['incomplete_expired', false],
    ['paused', false],
    ['some_future_status', false],
  ])('%s pays: %s', (status, pays) => {
    expect(paysAt(snapshot({ status }), now)).toBe(pays);
  });

  it('pays past due until the end of the paid period, and not a second after', () => {
    const end = new Date(now.getTime() + 3 * 24 * 3600 * 1000);
    const pastDue = snapshot({ status: 'past_due', periodEnd: seconds(end) });
    expect(graceEnd(pastDue)).toEqual(end);
    expect(paysAt(pastDue, now)).toBe(true);
    expect(paysAt(pastDue, new Date(end.getTime() - 1))).toBe(true);
    expect(paysAt(pastDue, end)).toBe(false);
  });

  it('pays nothing past due without a period end: there is no paid period to honour', () => {
    const pastDue = snapshot({ status: 'past_due' });
    expect(graceEnd(pastDue)).toBeUndefined();
    expect(paysAt(pastDue, now)).toBe(false);
  });

  it('reads a deleted subscription as canceled, whatever status its payload shows', () => {
    expect(snapshot({ status: 'active', deleted: true }).status).toBe('canceled');
  });

  it('keeps a customer paid while any of their subscriptions pays', () => {
    const ended = snapshot({ subscriptionId: 'sub_old', status: 'canceled' });
    const current = snapshot({ subscriptionId: 'sub_new', status: 'active' });
    expect(customerPaysAt([ended, current], now)).toBe(true);
    expect(customerPaysAt([ended], now)).toBe(false);
    expect(customerPaysAt([], now)).toBe(false);
  });
});

describe('checkouts', () => {
  const checkout = {
    kind: 'checkout' as const,
    id: 'evt_c',
    type: 'checkout.session.completed',
    created: T1,
    sessionId: 'cs_1',
    customerId: 'cus_1',
    paymentIntentId: undefined,
    email: 'reader@example.org',
  };

  it('make the subscription they started active as of the checkout', () => {
    expect(checkoutEntitlement({ ...checkout, subscriptionId: 'sub_1', paid: true })).toMatchObject({
      key: 'sub_1',
      status: 'active',
      eventCreated: T1,
    });
  });

  it('make a one-off payment paid for good, until a reversal ends it for good', () => {
    const oneOff = checkoutEntitlement({ ...checkout, subscriptionId: undefined, paid: true }) as Entitlement;
    expect(oneOff).toMatchObject({ key: 'cs_1', status: ONE_OFF });
    expect(paysAt(oneOff, new Date('2099-01-01T00:00:00Z'))).toBe(true);
    const reversed = reversedEntitlement(oneOff, { eventId: 'evt_refund', eventCreated: T1 - 5 });
    expect(paysAt(reversed, now)).toBe(false);
    // Final whatever its time: a refund stamped before the checkout still ends what the checkout bought.
    expect(supersedes(reversed, oneOff)).toBe(true);
    expect(supersedes({ ...oneOff, eventId: 'evt_again', eventCreated: T2 }, reversed)).toBe(false);
  });

  it('leave nothing while a delayed payment is still unpaid', () => {
    expect(checkoutEntitlement({ ...checkout, subscriptionId: 'sub_1', paid: false })).toBeUndefined();
  });
});

describe('which snapshot of a subscription wins', () => {
  it('takes the first one, and never the same event twice', () => {
    const first = snapshot();
    expect(supersedes(first, undefined)).toBe(true);
    expect(supersedes(first, first)).toBe(false);
  });

  it('goes by the time Stripe created the event, not by arrival', () => {
    const older = snapshot({ id: 'evt_old', created: T1, status: 'past_due' });
    const newer = snapshot({ id: 'evt_new', created: T2, status: 'active' });
    expect(supersedes(newer, older)).toBe(true);
    expect(supersedes(older, newer)).toBe(false);
  });

  it('keeps a canceled subscription canceled, even against a later-stamped active snapshot', () => {
    const canceled = snapshot({ id: 'evt_cancel', created: T1, status: 'canceled' });
    expect(supersedes(snapshot({ id: 'evt_late', created: T2, status: 'active' }), canceled)).toBe(false);
    const expired = snapshot({ id: 'evt_exp', created: T1, status: 'incomplete_expired' });
    expect(supersedes(snapshot({ id: 'evt_x', created: T2 }), expired)).toBe(false);
  });

  it('lets a cancellation win a tie of the same second, and otherwise the later paid period', () => {
    const active = snapshot({ id: 'evt_a', created: T2, status: 'active', periodEnd: 100 });
    expect(supersedes(snapshot({ id: 'evt_c', created: T2, status: 'canceled' }), active)).toBe(true);
    expect(supersedes(snapshot({ id: 'evt_b', created: T2, status: 'past_due', periodEnd: 200 }), active)).toBe(true);
    expect(supersedes(snapshot({ id: 'evt_d', created: T2, status: 'past_due', periodEnd: 100 }), active)).toBe(false);
  });

  it('lets a later subscription event supersede the checkout that started it', () => {
    const started = checkoutEntitlement({
      kind: 'checkout',
      id: 'evt_c',
      type: 'checkout.session.completed',
      created: T1,
      sessionId: 'cs_1',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      paymentIntentId: undefined,
      email: 'reader@example.org',
      paid: true,
    });
    expect(supersedes(snapshot({ id: 'evt_u', created: T2, status: 'canceled' }), started)).toBe(true);
    expect(supersedes(snapshot({ id: 'evt_u', created: T1 - 1, status: 'past_due' }), started)).toBe(false);
  });
});

describe('what billing changes on a reader', () => {
  it('creates a new address only for a payment, active and paid (no double opt-in)', () => {
    expect(billingUpdate(undefined, { tier: 'paid', activate: true })).toEqual({ tier: 'paid', status: 'active' });
    expect(billingUpdate(undefined, { tier: 'paid', activate: false })).toBeUndefined();
  });

  it.each(['pending', 'unsubscribed'] as const)('activates a %s address that pays', (status) => {
    expect(billingUpdate(reader({ status }), { tier: 'paid', activate: true })).toEqual({
      tier: 'paid',
      status: 'active',
    });
  });

  it.each(['bounced', 'complained'] as const)('records the tier of a %s address and leaves it suppressed', (status) => {
    expect(billingUpdate(reader({ status }), { tier: 'paid', activate: true })).toEqual({ tier: 'paid' });
  });

  it('never reactivates an unsubscribed reader for a subscription event, only follows the tier', () => {
    expect(billingUpdate(reader({ status: 'unsubscribed', tier: 'paid' }), { tier: 'free', activate: false })).toEqual({
      tier: 'free',
    });
  });

  it('asks for nothing when the reader already is what billing says', () => {
    expect(billingUpdate(reader({ tier: 'paid' }), { tier: 'paid', activate: true })).toBeUndefined();
    expect(
      billingUpdate(reader({ tier: 'free', status: 'bounced' }), { tier: 'free', activate: true }),
    ).toBeUndefined();
  });

  it('revokes the private feed URLs of a reader who stops paying, through the admin update rule', () => {
    const paid = reader({ tier: 'paid', feedTokenVersion: 3 });
    const update = billingUpdate(paid, { tier: 'free', activate: false });
    expect(update).toEqual({ tier: 'free' });
    const next = applyAdminUpdate(paid, paid.email, update ?? {}, 'x', now);
    expect(next).toMatchObject({ tier: 'free', feedTokenVersion: 4, status: 'active' });
    // Paying again issues nothing by itself: the next feed-url (or paid digest) carries the new version.
    expect(applyAdminUpdate(next, next.email, { tier: 'paid' }, 'x', now).feedTokenVersion).toBe(4);
  });
});
