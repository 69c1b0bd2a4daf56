import Stripe from 'stripe';
import { z } from 'zod';
import type { BillingEvent } from '../core/billing/billing-events';
import { fieldErrors } from '../core/shared/validation';
import { BadRequestError } from './errors';

/** How old a signed delivery may be (Stripe's own default): a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Checks the `Stripe-Signature` header over the exact body bytes with the official package, and answers the
 * event's JSON. A missing header, a signature that does not match (a forgery, or another endpoint's secret) and a
 * correctly signed but stale delivery are told apart by their codes; none of them says more, and nothing of the
 * header, the body or the secret is kept in the error.
 */
export function verifiedStripeEvent(
  payload: Buffer,
  signature: string | undefined,
  secret: string,
  now: Date,
): unknown {
  if (signature === undefined || signature.trim() === '') {
    throw new BadRequestError('missing_signature', 'The Stripe-Signature header is required');
  }
  // The signature first, ignoring its age (tolerance 0), so a stale forgery reads as what it is: a forgery.
  signatureCheck(() => Stripe.webhooks.constructEvent(payload, signature, secret, 0), 'invalid_signature');
  return signatureCheck(
    () =>
      Stripe.webhooks.constructEvent(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS, undefined, now.getTime()),
    'stale_signature',
  );
}

const MESSAGES = {
  invalid_signature: 'The Stripe-Signature header does not match this body and the webhook signing secret',
  stale_signature: `The Stripe-Signature timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds old`,
} as const;

function signatureCheck(construct: () => Stripe.Event, code: keyof typeof MESSAGES): Stripe.Event {
  try {
    return construct();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError)
      throw new BadRequestError(code, MESSAGES[code]);
    // The package parses the body once the signature holds. Its SyntaxError quotes the body: not passed on.
    if (error instanceof SyntaxError) throw new BadRequestError('invalid_event', 'The body is not a JSON Stripe event');
    throw error;
  }
}

/**
 * Stripe's ids are at most 255 characters; a longer one is not Stripe's (and would pass DynamoDB's key limits only
 * to fail there with a 5xx).
 */
const idString = z.string().min(1).max(255);
/** An id, or the object it names when the sender expanded it. */
const stripeId = z.union([idString, z.object({ id: idString }).transform(({ id }) => id)]);
const periodEnd = z.number().int().nullish();

const created = z.number().int();

const envelopeSchema = z.object({
  id: idString,
  type: z.string().min(1),
  // Stripe always sends it; a hand-built checkout event may not (see `checkoutSchema`). Required where it orders.
  created: created.nullish(),
  data: z.object({ object: z.unknown() }),
});

/**
 * Stripe always sends every field below but the nullable ones. A checkout built by hand (a test script, a trimmed
 * fixture) may lack the session id, `payment_status` or the event's `created`: the signature proves the sender holds
 * our secret, so billing reads what the event says rather than dropping a payment over a field it can do without.
 */
const checkoutSchema = z.object({
  id: idString.nullish(),
  created: created.nullish(),
  customer: stripeId.nullish(),
  subscription: stripeId.nullish(),
  customer_details: z.object({ email: z.string().nullish() }).nullish(),
  customer_email: z.string().nullish(),
  payment_status: z.string().min(1).nullish(),
  mode: z.string().nullish(),
  payment_intent: stripeId.nullish(),
});

const chargeSchema = z.object({ payment_intent: stripeId.nullish(), refunded: z.boolean() });
const disputeSchema = z.object({ payment_intent: stripeId.nullish(), status: z.string().min(1) });

const subscriptionSchema = z.object({
  id: idString,
  customer: stripeId,
  status: z.string().min(1),
  // Before API version 2025-03-31 on the subscription; since then on each item.
  current_period_end: periodEnd,
  items: z.object({ data: z.array(z.object({ current_period_end: periodEnd })) }).nullish(),
});

/** Money arrived, or the purchase needed none (a trial, a full discount). */
const PAID_CHECKOUT = new Set(['paid', 'no_payment_required']);
const CHECKOUT_TYPES = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
const SUBSCRIPTION_TYPES = new Set(['customer.subscription.updated', 'customer.subscription.deleted']);

/**
 * The verified event as billing reads it; a 400 naming the field when an event billing acts on lacks one.
 * `receivedAt` dates a checkout that carries no time of its own (never one of Stripe's).
 */
export function billingEventOf(json: unknown, receivedAt: Date): BillingEvent {
  const envelope = parse(envelopeSchema, json, '');
  const { id, type, data } = envelope;
  if (CHECKOUT_TYPES.has(type)) {
    const session = parse(checkoutSchema, data.object, 'data.object.');
    return {
      id,
      type,
      created: envelope.created ?? session.created ?? Math.floor(receivedAt.getTime() / 1000),
      kind: 'checkout',
      // Keys the one-off purchase; the event's own id stands in for a session id the event left out.
      sessionId: session.id ?? id,
      customerId: session.customer ?? undefined,
      subscriptionId: session.subscription ?? undefined,
      paymentIntentId: session.payment_intent ?? undefined,
      email: session.customer_details?.email ?? session.customer_email ?? undefined,
      // A setup-mode session only saves a payment method: `no_payment_required`, and nothing was bought. A completed
      // checkout that names no payment status took the money (Stripe names `unpaid` when it did not).
      paid: session.mode !== 'setup' && PAID_CHECKOUT.has(session.payment_status ?? 'paid'),
    };
  }
  // Subscription snapshots and reversals are ordered by Stripe's time: without it an event cannot be placed.
  const meta = { id, type, created: parse(z.object({ created }), envelope, '').created };
  if (SUBSCRIPTION_TYPES.has(type)) {
    const subscription = parse(subscriptionSchema, data.object, 'data.object.');
    return {
      ...meta,
      kind: 'subscription',
      customerId: subscription.customer,
      subscriptionId: subscription.id,
      status: subscription.status,
      deleted: type === 'customer.subscription.deleted',
      periodEnd: periodEndOf(subscription),
    };
  }
  const reversed = reversedPayment(type, data.object);
  if (reversed !== undefined) return { ...meta, kind: 'reversal', paymentIntentId: reversed };
  return { ...meta, kind: 'ignored' };
}

/**
 * The payment intent a full refund or a lost dispute takes back; undefined for any other charge event (a partial
 * refund keeps what was bought; a dispute still open or won changes nothing).
 */
function reversedPayment(type: string, object: unknown): string | undefined {
  if (type === 'charge.refunded') {
    const charge = parse(chargeSchema, object, 'data.object.');
    return charge.refunded ? (charge.payment_intent ?? undefined) : undefined;
  }
  if (type === 'charge.dispute.closed') {
    const dispute = parse(disputeSchema, object, 'data.object.');
    return dispute.status === 'lost' ? (dispute.payment_intent ?? undefined) : undefined;
  }
  return undefined;
}

/** The subscription's own period end, else the latest of its items' (they share one period unless mixed). */
function periodEndOf(subscription: z.infer<typeof subscriptionSchema>): number | undefined {
  if (typeof subscription.current_period_end === 'number') return subscription.current_period_end;
  const ends = (subscription.items?.data ?? []).flatMap((item) =>
    typeof item.current_period_end === 'number' ? [item.current_period_end] : [],
  );
  return ends.length > 0 ? Math.max(...ends) : undefined;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error).map(({ field, message }) => ({ field: `${prefix}${field}`, message }));
  throw new BadRequestError('invalid_event', 'The Stripe event lacks a field billing needs', fields);
}
