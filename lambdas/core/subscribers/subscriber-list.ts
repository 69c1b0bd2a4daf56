import type { Page } from '../shared/page';
import type { Subscriber } from './subscribers';

/** What the admins' subscriber list asks of storage. */
export interface AddressQuery {
  /** Normalised (lowercase) start of an address; absent lists everyone. */
  prefix?: string;
  limit: number;
  /** Opaque, from the previous page's `nextCursor`. */
  cursor?: string;
}

/** The subscribers store implements it (without a Scan: see `SubscribersStore.pageByAddress`). */
export interface SubscriberListing {
  pageByAddress(query: AddressQuery): Promise<Page<Subscriber>>;
}

/** One line of the list: who, at which tier, in which state. Tokens, versions and ids stay out. */
export function subscriberListLine(subscriber: Subscriber) {
  return {
    email: subscriber.email,
    tier: subscriber.tier,
    status: subscriber.status,
    createdAt: subscriber.createdAt,
    updatedAt: subscriber.updatedAt,
    /** `null`: every series, including later ones. */
    series: subscriber.series ?? null,
  };
}

/** A page of subscribers in address order; `prefix` narrows it to the addresses that start with it. */
export async function listSubscribers(listing: SubscriberListing, query: AddressQuery) {
  const { items, nextCursor } = await listing.pageByAddress(query);
  return { items: items.map(subscriberListLine), ...(nextCursor ? { nextCursor } : {}) };
}
