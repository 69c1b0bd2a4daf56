import { DELIVERY_LEASE_MS, type DeliveryRecord } from './deliveries';
import { finalStatus, processed, type EditionRecord, type EditionStatus } from './edition';

/** When an edition's counters are re-tallied from its delivery records, and how it ends after the tally. */

/**
 * Counters are one ADD per queue message, made after that message's delivery records, and DynamoDB (dynalite
 * locally) gives no transaction across the two items: a sender that dies in between leaves them short, and
 * the edition would say `sending` forever. Once counters have not moved for this long, the delivery records,
 * which are the truth, are tallied again.
 */
export const RECONCILE_AFTER_MS = 2 * 60_000;
/** Past every retry and the dead-letter redrive: recipients still without a record will not get one. */
export const GIVE_UP_AFTER_MS = 15 * 60_000;

export function needsReconciliation(edition: EditionRecord, now: Date): boolean {
  return (
    edition.status === 'sending' &&
    edition.recipients !== undefined &&
    processed(edition) < edition.recipients &&
    now.getTime() - Date.parse(edition.updatedAt) >= RECONCILE_AFTER_MS
  );
}

export type DeliveryTally = Pick<EditionRecord, 'sent' | 'failed' | 'suppressed' | 'notSent'> & { unknown: number };

/** A claim older than its lease whose send never reported back counts as unknown: it is never retried by itself. */
export function tallyDeliveries(
  records: readonly Pick<DeliveryRecord, 'status' | 'claimedAt'>[],
  now: Date,
): DeliveryTally {
  const tally: DeliveryTally = { sent: 0, failed: 0, suppressed: 0, notSent: 0, unknown: 0 };
  for (const record of records) {
    if (record.status === 'sent') tally.sent += 1;
    else if (record.status === 'suppressed') tally.suppressed += 1;
    else if (record.status === 'not-sent') tally.notSent += 1;
    else if (record.status === 'failed') tally.failed += 1;
    else if (record.status === 'unknown') tally.unknown += 1;
    else if (record.status === 'sending' && now.getTime() - Date.parse(record.claimedAt) > DELIVERY_LEASE_MS)
      tally.unknown += 1;
  }
  return tally;
}

/** The edition after a tally: finished when every recipient has an outcome, or when waiting longer is pointless. */
export function reconciledStatus(
  edition: EditionRecord,
  tally: DeliveryTally,
  now: Date,
): { status: EditionStatus; reason?: string } {
  const recipients = edition.recipients ?? 0;
  // Readers without any series of the edition have no delivery record: the planner's count is their truth.
  const accounted = processed(tally) + (edition.noSeries ?? 0);
  if (accounted >= recipients) return finalStatus(tally);
  if (now.getTime() - Date.parse(edition.updatedAt) >= GIVE_UP_AFTER_MS) {
    const known = finalStatus(tally).reason;
    const gap = `${recipients - accounted} recipient(s) have no delivery record; see the mail dead-letter queue`;
    return { status: 'sent-with-gaps', reason: known ? `${known}, ${gap}` : gap };
  }
  return { status: 'sending' };
}
