import { createHash } from 'node:crypto';

/** One reader's delivery of one edition: its record, the lease on a claim, and what to do when it exists. */

/**
 * `sending`: claimed, the SES call is about to start or in flight. `unknown`: a claim whose attempt died with the
 * call in flight. `deferred`: the edition was paused at this reader's turn; resume sends it. `not-sent`: cancelled.
 */
export const DELIVERY_STATUSES = [
  'sending',
  'sent',
  'failed',
  'suppressed',
  'unknown',
  'deferred',
  'not-sent',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Outcomes an admin can list (`GET /api/digests/{id}/deliveries?outcome=`). */
export const DELIVERY_OUTCOMES = DELIVERY_STATUSES;

export interface DeliveryRecord {
  status: DeliveryStatus;
  /** The reader's address, so unknown and deferred deliveries can be listed and sent again. */
  email?: string;
  /** Random per attempt: only the attempt that claimed a delivery may finish or release it. */
  claimId: string;
  claimedAt: string;
  messageId?: string;
  reason?: string;
}

/**
 * How long a `sending` claim is trusted. The sender times out after 30 s, so a claim older than twice that
 * belongs to an invocation that died between its claim and its record: the SES call may or may not have run.
 */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * What to do when a recipient's delivery record already exists. A dead claim is the ambiguous case (sent or
 * not?): the claim is only ever taken right before the SES call, so its attempt died with the call in flight; we
 * choose never to mail twice, so it is recorded as `unknown` and listed for the editor. A deferred record of an
 * edition that is sending again is taken back.
 */
export function existingDeliveryAction(
  delivery: DeliveryRecord,
  now: Date,
  leaseMs = DELIVERY_LEASE_MS,
): 'skip' | 'wait' | 'give-up' | 'retake' {
  if (delivery.status === 'deferred') return 'retake';
  if (delivery.status !== 'sending') return 'skip';
  return now.getTime() - Date.parse(delivery.claimedAt) < leaseMs ? 'wait' : 'give-up';
}

/** Delivery records are keyed by a hash of the address: stable across retries, no address in the key. */
export function deliveryKey(email: string): string {
  return createHash('sha256').update(email, 'utf8').digest('base64url').slice(0, 32);
}
