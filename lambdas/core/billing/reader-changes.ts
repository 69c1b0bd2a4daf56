import type { ReaderTier } from '../shared/reader-tier';
import { type AdminUpdate, type Subscriber, SUPPRESSED_STATUSES } from '../subscribers/subscribers';

export interface BillingChange {
  readonly tier: ReaderTier;
  /**
   * A payment (checkout) is also consent: the address becomes an active reader with no double opt-in. Subscription
   * events never set this: a reader who unsubscribed from mail while still paying stays unsubscribed.
   */
  readonly activate: boolean;
}

/**
 * What billing changes on a reader, as the admin update the subscriber service applies (so feed URLs and sessions
 * follow the tier exactly as when an admin changes it), or undefined when nothing changes.
 *
 * - A new address is created only by a payment, active.
 * - A pending or unsubscribed address that pays becomes active.
 * - A bounced or complained address gets the tier but keeps its status: only an operator may lift a suppression,
 *   and a payment does not make the address deliverable.
 */
export function billingUpdate(existing: Subscriber | undefined, change: BillingChange): AdminUpdate | undefined {
  if (existing === undefined) return change.activate ? { tier: change.tier, status: 'active' } : undefined;
  const activate = change.activate && existing.status !== 'active' && !SUPPRESSED_STATUSES.includes(existing.status);
  const retier = existing.tier !== change.tier;
  if (!activate && !retier) return undefined;
  return { ...(retier ? { tier: change.tier } : {}), ...(activate ? { status: 'active' } : {}) };
}
