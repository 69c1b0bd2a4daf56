/**
 * The Stripe events billing acts on, in domain terms: the HTTP edge verifies the signature, reads the fields below
 * from the event (`lambdas/http/stripe-events.ts`) and hands the core nothing else. Times are Stripe's: Unix
 * seconds.
 */
interface EventMeta {
  /** Stripe's event id (`evt_…`): what makes a delivery a replay. */
  readonly id: string;
  readonly type: string;
  /** When Stripe created the event; orders snapshots of one subscription, never the order of arrival. */
  readonly created: number;
}

/** `checkout.session.completed` (or `…async_payment_succeeded`): someone paid, or started a subscription. */
export interface CheckoutCompleted extends EventMeta {
  readonly kind: 'checkout';
  readonly sessionId: string;
  readonly customerId: string | undefined;
  readonly subscriptionId: string | undefined;
  /** The payment of a one-off purchase (`payment_intent`), by which a refund or a lost dispute names it later. */
  readonly paymentIntentId: string | undefined;
  /** `customer_details.email`, else `customer_email`; undefined when Stripe had neither. */
  readonly email: string | undefined;
  /**
   * Money arrived (`payment_status` `paid`), or a purchase needed none (`no_payment_required`: a trial, a full
   * discount), never a setup-mode session (it only saves a card). A session completed with a delayed payment method
   * is `unpaid`: it maps the customer to the address, and the subscription's own events decide the tier.
   */
  readonly paid: boolean;
}

/** `customer.subscription.updated` or `customer.subscription.deleted`. */
export interface SubscriptionChanged extends EventMeta {
  readonly kind: 'subscription';
  readonly customerId: string;
  readonly subscriptionId: string;
  /** Stripe's subscription status (`active`, `past_due`, `canceled`…). */
  readonly status: string;
  /** `customer.subscription.deleted`: the subscription ended, whatever status the payload still shows. */
  readonly deleted: boolean;
  /** The end of the paid period: `current_period_end`, on the subscription or (newer API versions) its items. */
  readonly periodEnd: number | undefined;
}

/**
 * A one-off payment taken back: `charge.refunded` refunding it in full, or `charge.dispute.closed` lost. (A
 * subscription's refunds end it through its own events: Stripe cancels it, or the invoice goes unpaid.)
 */
export interface PaymentReversed extends EventMeta {
  readonly kind: 'reversal';
  readonly paymentIntentId: string;
}

/** Any other event type: answered 200 (Stripe retries anything else) and left alone. */
export interface IgnoredEvent extends EventMeta {
  readonly kind: 'ignored';
}

export type BillingEvent = CheckoutCompleted | SubscriptionChanged | PaymentReversed | IgnoredEvent;
