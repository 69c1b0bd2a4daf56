import type { Entitlement } from './entitlements';

/** The address a Stripe customer pays for, as the latest checkout of that customer named it. */
export interface CustomerProfile {
  readonly customerId: string;
  readonly email: string;
  /** The checkout event that named the address, and when Stripe created it (Unix seconds). */
  readonly eventId: string;
  readonly eventCreated: number;
}

/** What is known of a one-off payment: the entitlement it bought (once its checkout came), its reversal (if any). */
export interface PaymentRecord {
  readonly bought?: Pick<Entitlement, 'customerId' | 'key'>;
  readonly reversal?: Pick<Entitlement, 'eventId' | 'eventCreated'>;
}

export interface CustomerBilling {
  /** Undefined until a checkout names the customer's address; subscription events wait for it. */
  readonly profile: CustomerProfile | undefined;
  readonly entitlements: readonly Entitlement[];
}

/** What billing needs from storage; the DynamoDB adapter (`adapters/billing-ledger.ts`) implements it. */
export interface BillingLedger {
  /** Whether this event id was applied before (a replay, or Stripe retrying a delivery we answered late). */
  isProcessed(eventId: string): Promise<boolean>;
  /** Remembers the event id as applied, for longer than Stripe retries a delivery. */
  markProcessed(eventId: string, now: Date): Promise<void>;
  customer(customerId: string): Promise<CustomerBilling>;
  /** Conditional on `previous` being what is stored (or nothing stored); false when it changed meanwhile. */
  saveEntitlement(next: Entitlement, previous: Entitlement | undefined): Promise<boolean>;
  /**
   * Stores the profile unless one from a later checkout is stored; false when that one stays. Either way the
   * address remembers the customer, for {@link customersNaming}.
   */
  saveProfile(profile: CustomerProfile): Promise<boolean>;
  /** Every customer whose current profile names this address (one that moved on to another address is not). */
  customersNaming(email: string): Promise<CustomerBilling[]>;
  /** Links a one-off payment to the entitlement it bought; answers the record, with a reversal stored before. */
  linkPayment(paymentIntentId: string, bought: NonNullable<PaymentRecord['bought']>): Promise<PaymentRecord>;
  /** Records a reversal of the payment (first one kept); answers the record, with what it bought if linked yet. */
  reversePayment(paymentIntentId: string, reversal: NonNullable<PaymentRecord['reversal']>): Promise<PaymentRecord>;
  /** Past-due entitlements whose paid period ended at or before `now`, oldest first, at most `limit`. */
  graceEnded(now: Date, limit: number): Promise<Entitlement[]>;
  /** Takes an entitlement off the grace list once its end was applied (unless a newer snapshot replaced it). */
  settleGrace(entitlement: Entitlement): Promise<void>;
}
