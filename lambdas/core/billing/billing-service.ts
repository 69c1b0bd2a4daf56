import { ConflictError } from '../shared/errors';
import type { ReaderTier } from '../shared/reader-tier';
import { MAX_ROUNDS, type SubscribersRepository, updateSubscriber } from '../subscribers/subscriber-service';
import { emailSchema } from '../subscribers/subscribers';
import type { BillingEvent, CheckoutCompleted, PaymentReversed, SubscriptionChanged } from './billing-events';
import {
  checkoutEntitlement,
  customerPaysAt,
  type Entitlement,
  ONE_OFF,
  reversedEntitlement,
  subscriptionEntitlement,
  supersedes,
} from './entitlements';
import type { BillingLedger, CustomerProfile } from './ports';
import { billingUpdate } from './reader-changes';

/**
 * - `applied`: the event was recorded and the reader's tier (and for a payment, status) follows it.
 * - `duplicate`: this event id was applied before; nothing changed.
 * - `superseded`: Stripe already told us something newer about this subscription; nothing changed.
 * - `awaiting-checkout`: recorded, but no checkout has named the customer's address yet; the checkout applies it.
 * - `no-address`: a checkout without any email address; recorded, no reader to change.
 * - `ignored`: an event type billing does not act on.
 */
export type BillingOutcome = 'applied' | 'duplicate' | 'superseded' | 'awaiting-checkout' | 'no-address' | 'ignored';

export interface BillingResult {
  readonly outcome: BillingOutcome;
  /** The tier the customer's reader has now, when a reader was looked at. */
  readonly tier?: ReaderTier;
}

export interface GraceSweep {
  ended: number;
  failed: number;
}

export interface GraceObserver {
  failed(entitlement: Entitlement, error: unknown): void;
}

/** A sweep reads this many ended grace periods at most; the rest wait for the next sweep. */
export const GRACE_SWEEP_LIMIT = 100;

/**
 * Stripe's events → who is a paid reader. Each subscription keeps its last applied snapshot; a customer is paid
 * while any of theirs pays (`entitlements.ts`), for the address the customer's latest checkout named. An address
 * is paid while any customer naming it pays: several may (a reader who subscribed twice, or someone else's
 * checkout typed with their address), and one customer's change must not undo another's payment. The tier is
 * written through the subscriber service's own update path.
 */
export class BillingService {
  constructor(
    private readonly ledger: BillingLedger,
    private readonly subscribers: Pick<SubscribersRepository, 'get' | 'save'>,
  ) {}

  async handle(event: BillingEvent, now: Date): Promise<BillingResult> {
    if (event.kind === 'ignored') return { outcome: 'ignored' };
    if (await this.ledger.isProcessed(event.id)) return { outcome: 'duplicate' };
    const result =
      event.kind === 'checkout'
        ? await this.checkout(event, now)
        : event.kind === 'subscription'
          ? await this.subscription(event, now)
          : await this.reversal(event, now);
    // Only once applied: a failure above answers 5xx and Stripe's retry applies the event again.
    await this.ledger.markProcessed(event.id, now);
    return result;
  }

  /** Applies every past-due entitlement whose paid period has ended by `now` (the billing sweeper's schedule). */
  async endGracePeriods(now: Date, observer: GraceObserver): Promise<GraceSweep> {
    const counts: GraceSweep = { ended: 0, failed: 0 };
    for (const entitlement of await this.ledger.graceEnded(now, GRACE_SWEEP_LIMIT)) {
      try {
        const { profile } = await this.ledger.customer(entitlement.customerId);
        if (profile) await this.follow(profile.email, now);
        await this.ledger.settleGrace(entitlement);
        counts.ended += 1;
      } catch (error) {
        // Left on the grace list: the next sweep tries it again.
        observer.failed(entitlement, error);
        counts.failed += 1;
      }
    }
    return counts;
  }

  private async checkout(event: CheckoutCompleted, now: Date): Promise<BillingResult> {
    const parsed = event.email === undefined ? undefined : emailSchema.safeParse(event.email);
    const email = parsed?.success ? parsed.data : undefined;
    // A one-off payment without a Stripe customer is its own customer: its entitlement and address are kept like
    // any other, so a later change of that address's other customers is weighed against it.
    const customerId = event.customerId ?? sessionCustomerId(event.sessionId);
    const entitlement = checkoutEntitlement({ ...event, customerId });
    if (entitlement) await this.record(entitlement);
    if (entitlement?.status === ONE_OFF && event.paymentIntentId !== undefined) {
      // Linked so a later refund finds what it bought; a refund that came first ends it at once.
      const { reversal } = await this.ledger.linkPayment(event.paymentIntentId, entitlement);
      if (reversal) await this.record(reversedEntitlement(entitlement, reversal));
    }
    if (email === undefined) return { outcome: 'no-address' };
    const before = await this.ledger.customer(customerId);
    const profile: CustomerProfile = { customerId, email, eventId: event.id, eventCreated: event.created };
    const named = await this.ledger.saveProfile(profile);
    const after = named ? profile : (await this.ledger.customer(customerId)).profile;
    // A later checkout of the same customer named another address: that address follows the customer from now on.
    const reader = after?.email ?? email;
    const tier = await this.raise(reader, event.paid && reader === email, now);
    const previous = before.profile?.email;
    if (named && previous !== undefined && previous !== email) await this.follow(previous, now);
    return { outcome: 'applied', ...(tier === undefined ? {} : { tier }) };
  }

  private async subscription(event: SubscriptionChanged, now: Date): Promise<BillingResult> {
    const recorded = await this.record(subscriptionEntitlement(event));
    if (!recorded) return { outcome: 'superseded' };
    const { profile } = await this.ledger.customer(event.customerId);
    if (!profile) return { outcome: 'awaiting-checkout' };
    return { outcome: 'applied', tier: await this.follow(profile.email, now) };
  }

  private async reversal(event: PaymentReversed, now: Date): Promise<BillingResult> {
    const reversal = { eventId: event.id, eventCreated: event.created };
    const { bought } = await this.ledger.reversePayment(event.paymentIntentId, reversal);
    // Kept on the payment: its checkout, when it comes, finds the reversal and ends what it bought.
    if (!bought) return { outcome: 'awaiting-checkout' };
    await this.record(reversedEntitlement(bought, reversal));
    const { profile } = await this.ledger.customer(bought.customerId);
    if (!profile) return { outcome: 'awaiting-checkout' };
    return { outcome: 'applied', tier: await this.follow(profile.email, now) };
  }

  /** Stores the snapshot if it is newer than the stored one; false when the stored one stays. */
  private async record(next: Entitlement): Promise<boolean> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { entitlements } = await this.ledger.customer(next.customerId);
      const stored = entitlements.find((entitlement) => entitlement.key === next.key);
      if (!supersedes(next, stored)) return false;
      if (await this.ledger.saveEntitlement(next, stored)) return true;
    }
    throw new ConflictError('busy', 'This subscription is being changed by another event; try again');
  }

  /** Whether any customer whose latest checkout named this address pays for it at `now`. */
  private async addressPays(email: string, now: Date): Promise<boolean> {
    const customers = await this.ledger.customersNaming(email);
    return customers.some(({ entitlements }) => customerPaysAt(entitlements, now));
  }

  /**
   * After a checkout: the address becomes paid if a customer pays for it, and never loses a tier. A checkout is
   * no proof that nobody pays: an unpaid one (or another customer's) naming a paying or admin-granted reader must
   * not make them free.
   */
  private async raise(email: string, activate: boolean, now: Date): Promise<ReaderTier | undefined> {
    const paid = await this.addressPays(email, now);
    const { subscriber } = await updateSubscriber(
      this.subscribers,
      email,
      (existing) => billingUpdate(existing, { tier: paid ? 'paid' : (existing?.tier ?? 'free'), activate }),
      now,
    );
    return subscriber?.tier;
  }

  /** After a subscription changed or a customer moved away: the address is paid exactly while a customer pays. */
  private async follow(email: string, now: Date): Promise<ReaderTier> {
    const tier: ReaderTier = (await this.addressPays(email, now)) ? 'paid' : 'free';
    await updateSubscriber(
      this.subscribers,
      email,
      (existing) => billingUpdate(existing, { tier, activate: false }),
      now,
    );
    return tier;
  }
}

/** The customer id a checkout without a Stripe customer is kept under. */
function sessionCustomerId(sessionId: string): string {
  return `checkout-session:${sessionId}`;
}
