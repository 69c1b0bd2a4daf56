import { settleDeadClaims } from './edition-control';
import { needsReconciliation, reconciledStatus, tallyDeliveries, type DeliveryTally } from './reconciliation';
import { type DeliveryRecord } from './deliveries';
import { type EditionRecord, type EditionStatus } from './edition';

/** What re-counting an edition needs from storage; the digests store implements it. */
export interface ReconcileStore {
  getEdition(id: string): Promise<EditionRecord | undefined>;
  deliveryOutcomes(editionId: string): Promise<Pick<DeliveryRecord, 'status' | 'claimedAt'>[]>;
  reconcile(
    id: string,
    tally: DeliveryTally,
    status: EditionStatus,
    at: Date,
    reason?: string,
  ): Promise<EditionRecord | undefined>;
}

export interface Reconciled {
  edition: EditionRecord;
  /** Present when the edition was re-counted: the status and counts it was given. */
  recount?: DeliveryTally & { status: EditionStatus };
}

/**
 * A stalled edition (see `needsReconciliation`) is re-counted from its delivery records when an operator reads
 * it: dead claims are settled as unknown first, then the counters are replaced by the tally and the edition
 * finishes if every recipient is accounted for. Another reader may reconcile at the same time; the store's
 * conditional write lets one win and the other reads the result.
 */
export async function reconcileIfStalled(
  store: ReconcileStore & Parameters<typeof settleDeadClaims>[0],
  edition: EditionRecord,
  now: Date,
): Promise<Reconciled> {
  if (!needsReconciliation(edition, now)) return { edition };
  await settleDeadClaims(store, edition.id, now);
  const tally = tallyDeliveries(await store.deliveryOutcomes(edition.id), now);
  const { status, reason } = reconciledStatus(edition, tally, now);
  const reconciled = await store.reconcile(edition.id, tally, status, now, reason);
  const current = reconciled ?? (await store.getEdition(edition.id)) ?? edition;
  return { edition: current, recount: { ...tally, status } };
}
