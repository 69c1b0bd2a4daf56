/**
 * The item layout of the digests table, shared by the editions store and the deliveries store. Item types:
 *  - edition `EDITION#{id}` / `EDITION`: status, window, planning cursor and counters;
 *  - delivery `EDITION#{id}` / `TO#{hash of address}`: one per recipient, the exactly-once guard;
 *  - feedback `EDITION#{id}` / `FEEDBACK#{messageId}#{type}`: makes SES feedback count once per message;
 *  - window claim `WINDOW#{start}` / `WINDOW`: at most one edition may start at a given instant, which is what
 *    makes duplicate triggers (two schedule fires, a manual send racing the schedule) create one edition;
 *  - head `HEAD` / `EDITIONS`: where the last edition's window ended, so the next window is found by key;
 *  - report entry `REPORT#{reportId}` / `EDITION#{id}`: the editions a report is in, so unpublishing or
 *    correcting it can pause the ones still sending without scanning;
 *  - edition page `EDITION_PAGES` / `{date}#{id}`: an edition whose web page is written, for `/editions/` (one
 *    small partition read newest first; no `trigger`, so the sparse `byTrigger` index leaves it out).
 */
const editionPartition = (editionId: string) => `EDITION#${editionId}`;

export const editionKey = (id: string) => ({ pk: editionPartition(id), sk: 'EDITION' });

/** Delivery items sort under their edition's partition with this prefix. */
export const DELIVERY_SK_PREFIX = 'TO#';
export const deliveryItemKey = (editionId: string, key: string) => ({
  pk: editionPartition(editionId),
  sk: `${DELIVERY_SK_PREFIX}${key}`,
});
/** The recipient key (a hash of the address) a delivery item is stored under. */
export const recipientKeyOf = (item: Record<string, unknown>): string =>
  String(item.sk).slice(DELIVERY_SK_PREFIX.length);

export const feedbackKey = (editionId: string, messageId: string, type: string) => ({
  pk: editionPartition(editionId),
  sk: `FEEDBACK#${messageId}#${type}`,
});
export const windowKey = (start: string) => ({ pk: `WINDOW#${start}`, sk: 'WINDOW' });
export const HEAD_KEY = { pk: 'HEAD', sk: 'EDITIONS' };
/** A report's entries share its partition and sort with this prefix. */
export const REPORT_ENTRY_SK_PREFIX = 'EDITION#';
export const reportEntriesPartition = (reportId: string) => `REPORT#${reportId}`;
export const reportEntryKey = (reportId: string, editionId: string) => ({
  pk: reportEntriesPartition(reportId),
  sk: `${REPORT_ENTRY_SK_PREFIX}${editionId}`,
});

export const EDITION_PAGES_PARTITION = 'EDITION_PAGES';
export const editionPageEntryKey = (date: string, editionId: string) => ({
  pk: EDITION_PAGES_PARTITION,
  sk: `${date}#${editionId}`,
});

/** The item without its table key: what the core's records hold. */
export function withoutKey(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}
