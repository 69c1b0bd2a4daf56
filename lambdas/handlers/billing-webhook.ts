import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { loadStripeWebhookSecret } from '../adapters/stripe-webhook-secret';
import { apiHandler, header, json, rawBodyBytes } from '../http/api';
import { billingEventOf, verifiedStripeEvent } from '../http/stripe-events';
import { billingFromEnv } from '../wiring/billing';

// At cold start, failing fast: an unset secret fails every delivery (5xx) and Stripe keeps retrying meanwhile.
const secret = await loadStripeWebhookSecret();
const billing = billingFromEnv();

/**
 * `POST /api/billing/stripe`: public (no editor token), the Stripe signature over the exact body bytes is the
 * credential. Verify → read the event → billing core → 200 with the outcome. Logs the event id, type and outcome
 * only: the payload carries the customer's address and the header a signature.
 */
const handle = apiHandler(async (event) => {
  const now = new Date();
  const verified = verifiedStripeEvent(rawBodyBytes(event), header(event, 'stripe-signature'), secret, now);
  const billingEvent = billingEventOf(verified, now);
  const result = await billing.handle(billingEvent, now);
  logger.info('Stripe event handled', { eventId: billingEvent.id, type: billingEvent.type, ...result });
  return json(200, { received: true, ...result });
});

export const handler = observed(handle);
