import type { CheckoutCompleted, SubscriptionChanged } from './billing-events';

/**
 * What one Stripe subscription (or one-off checkout) entitles its customer to, as the last applied event left it.
 * The decision table of billing lives here, pure: which status pays, until when, and which of two snapshots of the
 * same subscription is the newer one.
 */
export interface Entitlement {
  readonly customerId: string;
  /** The subscription id (`sub_…`), or the checkout session id (`cs_…`) of a payment without a subscription. */
  readonly key: string;
  /** Stripe's subscription status, or {@link ONE_OFF} for a paid checkout that started no subscription. */
  readonly status: string;
  /** The event that set this snapshot, and when Stripe created it (Unix seconds). */
  readonly eventId: string;
  readonly eventCreated: number;
  /** The end of the paid period (Unix seconds), when the event said. */
  readonly periodEnd?: number;
}

/** A paid checkout that started no subscription (a one-off payment): paid until the payment is reversed. */
export const ONE_OFF = 'one_off_payment';
/** A one-off payment refunded in full or lost in a dispute. */
export const REVERSED = 'payment_reversed';

/** Statuses that pay, without an end date: the subscription is current. */
const PAYING = new Set(['active', 'trialing', ONE_OFF]);
/** Paid until the period it was paid for ends; Stripe may still collect, or end it first. */
const GRACE = 'past_due';
/**
 * Stripe never moves a subscription out of these again: once one is stored, no snapshot of that subscription, of
 * whatever time, changes it (a late `active` from before the cancellation must not revive it).
 */
const FINAL = new Set(['canceled', 'incomplete_expired', REVERSED]);

/** The snapshot a subscription event leaves. A deletion is final whatever status the payload carries. */
export function subscriptionEntitlement(event: SubscriptionChanged): Entitlement {
  return {
    customerId: event.customerId,
    key: event.subscriptionId,
    status: event.deleted ? 'canceled' : event.status,
    eventId: event.id,
    eventCreated: event.created,
    ...(event.periodEnd === undefined ? {} : { periodEnd: event.periodEnd }),
  };
}

/**
 * The snapshot a paid checkout leaves: its subscription is active as of the checkout (a later event of that
 * subscription supersedes it), or a one-off payment is paid for good. An unpaid one (delayed payment) leaves none.
 */
export function checkoutEntitlement(event: CheckoutCompleted & { customerId: string }): Entitlement | undefined {
  if (!event.paid) return undefined;
  return {
    customerId: event.customerId,
    key: event.subscriptionId ?? event.sessionId,
    status: event.subscriptionId === undefined ? ONE_OFF : 'active',
    eventId: event.id,
    eventCreated: event.created,
  };
}

/** What a reversal leaves of the entitlement a one-off payment bought: nothing that pays, for good. */
export function reversedEntitlement(
  bought: Pick<Entitlement, 'customerId' | 'key'>,
  reversal: Pick<Entitlement, 'eventId' | 'eventCreated'>,
): Entitlement {
  const { customerId, key } = bought;
  return { customerId, key, status: REVERSED, eventId: reversal.eventId, eventCreated: reversal.eventCreated };
}

/**
 * Whether `incoming` replaces `stored` (the same subscription): a final status stays final; otherwise the event
 * Stripe created later wins, and of two created in the same second the one for the later period. Arrival order
 * never decides, so a replay or a late, older event changes nothing.
 */
export function supersedes(incoming: Entitlement, stored: Entitlement | undefined): boolean {
  if (stored === undefined) return true;
  if (incoming.eventId === stored.eventId || FINAL.has(stored.status)) return false;
  if (FINAL.has(incoming.status)) return true;
  if (incoming.eventCreated !== stored.eventCreated) return incoming.eventCreated > stored.eventCreated;
  return (incoming.periodEnd ?? 0) > (stored.periodEnd ?? 0);
}

/**
 * When a past-due entitlement stops paying (the end of the period paid for), or undefined when it is not in
 * grace. A past-due subscription without a period end pays nothing: there is no paid period to honour.
 */
export function graceEnd(entitlement: Entitlement): Date | undefined {
  if (entitlement.status !== GRACE || entitlement.periodEnd === undefined) return undefined;
  return new Date(entitlement.periodEnd * 1000);
}

/** Whether this entitlement pays at `now`: current, or past due inside the period it paid for. */
export function paysAt(entitlement: Entitlement, now: Date): boolean {
  if (PAYING.has(entitlement.status)) return true;
  const end = graceEnd(entitlement);
  return end !== undefined && now.getTime() < end.getTime();
}

/** A customer is a paid reader while any of their subscriptions (or a one-off payment) pays. */
export function customerPaysAt(entitlements: readonly Entitlement[], now: Date): boolean {
  return entitlements.some((entitlement) => paysAt(entitlement, now));
}
