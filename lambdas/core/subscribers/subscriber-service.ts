import { ulid } from 'ulid';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../shared/errors';
import type { Publication } from '../shared/publication';
import { privateFeedUrl } from '../shared/reader-urls';
import { parseWith } from '../shared/validation';
import { chosenSeries } from './series-preferences';
import type { SubscriberTokens, TokenFailure } from './subscriber-tokens';
import {
  type AdminUpdate,
  adminUpdateSchema,
  applyAdminUpdate,
  decideConfirm,
  decideUnsubscribe,
  emailSchema,
  feedEligibility,
  type Subscriber,
} from './subscribers';

/** What the subscriber workflows need from storage; the DynamoDB adapter implements it. */
export interface SubscribersRepository {
  get(email: string): Promise<Subscriber | undefined>;
  getBySubscriberId(subscriberId: string): Promise<Subscriber | undefined>;
  /** Conditional on `previous` being what is stored (or nothing stored); false when it changed meanwhile. */
  save(next: Subscriber, previous: Subscriber | undefined): Promise<boolean>;
}

export type LinkOutcome =
  { outcome: 'done' | 'unchanged' | 'refused' } | { outcome: 'invalid'; reason: 'expired' | 'invalid' | 'stale' };

const emailParameter = z.object({ email: emailSchema });

/** A write that lost a race re-reads and decides again; a handful of rounds settles any real contention. */
export const MAX_ROUNDS = 5;

export class SubscriberService {
  constructor(
    private readonly subscribers: SubscribersRepository,
    private readonly tokens: SubscriberTokens,
    private readonly publication: Publication,
  ) {}

  async confirm(token: string | undefined, now: Date): Promise<LinkOutcome> {
    const check = this.tokens.verify(token, 'confirm', now);
    if (!check.ok) return invalid(check.reason);
    return this.transition(check.claims.subscriberId, (existing) => {
      const decision = decideConfirm(existing, check.claims.statusVersion, now);
      if (decision.action === 'activate') return { next: decision.subscriber };
      if (decision.action === 'none') return { outcome: 'unchanged' };
      return decision.reason === 'stale' ? { outcome: 'invalid', reason: 'stale' } : { outcome: 'refused' };
    });
  }

  /** Only checks the link, for the page that offers the button: GET must never change anything. */
  checkUnsubscribeToken(token: string | undefined, now: Date): LinkOutcome {
    const check = this.tokens.verify(token, 'unsubscribe', now);
    return check.ok ? { outcome: 'unchanged' } : invalid(check.reason);
  }

  async unsubscribe(token: string | undefined, now: Date): Promise<LinkOutcome> {
    const check = this.tokens.verify(token, 'unsubscribe', now);
    if (!check.ok) return invalid(check.reason);
    return this.transition(check.claims.subscriberId, (existing) => {
      const decision = decideUnsubscribe(existing, now);
      return decision.action === 'unsubscribe' ? { next: decision.subscriber } : { outcome: 'unchanged' };
    });
  }

  /** Admin create-or-update; imports skip opt-in. */
  async put(
    rawEmail: string,
    body: Record<string, unknown>,
    now: Date,
  ): Promise<{ subscriber: Subscriber; created: boolean }> {
    const { email } = parseWith(emailParameter, { email: rawEmail });
    const parsed = parseWith(adminUpdateSchema, body);
    // Checked against the configured series here: the schema knows the shape of an id, not the publication.
    const update = parsed.series ? { ...parsed, series: chosenSeries(parsed.series, this.publication) } : parsed;
    const { subscriber, created } = await updateSubscriber(this.subscribers, email, () => update, now);
    // The decision above always answers an update, so there is always a subscriber written.
    if (!subscriber) throw new Error('An admin update wrote no subscriber');
    return { subscriber, created };
  }

  async feedUrl(rawEmail: string): Promise<string> {
    const { email } = parseWith(emailParameter, { email: rawEmail });
    const subscriber = await this.subscribers.get(email);
    if (!subscriber) throw new NotFoundError('No subscriber has this address');
    const eligibility = feedEligibility(subscriber);
    if (eligibility !== 'eligible') {
      throw new ConflictError(
        'not_eligible',
        eligibility === 'not-paid'
          ? 'Private feeds are for paid subscribers; this subscriber is on the free tier'
          : `Private feeds are for active subscribers; this subscriber is ${subscriber.status}`,
      );
    }
    return privateFeedUrl(
      this.publication,
      this.tokens.feedToken(subscriber.subscriberId, subscriber.feedTokenVersion),
    );
  }

  private async transition(
    subscriberId: string,
    decide: (existing: Subscriber) => { next: Subscriber } | Exclude<LinkOutcome, { outcome: 'done' }>,
  ): Promise<LinkOutcome> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.subscribers.getBySubscriberId(subscriberId);
      // A correctly signed token for a subscriber that no longer exists: the record was removed by an operator.
      if (!existing) return { outcome: 'invalid', reason: 'invalid' };
      const decision = decide(existing);
      if ('outcome' in decision) return decision;
      if (await this.subscribers.save(decision.next, existing)) return { outcome: 'done' };
    }
    throw new ConflictError('busy', 'This subscription is being changed by another request; try again');
  }
}

export interface SubscriberUpdate {
  /** The subscriber as stored afterwards; undefined when there was none and `decide` created none. */
  subscriber: Subscriber | undefined;
  created: boolean;
  /** False when `decide` asked for nothing, so nothing was written. */
  changed: boolean;
}

/**
 * The one write path for a subscriber's tier and status from outside a reader's own links: the admin API and
 * billing alike. `decide` sees what is stored and answers the change (or nothing), and {@link applyAdminUpdate}
 * applies it, so the rules that follow a tier or status change (feed URLs revoked, statusVersion moved on) hold
 * whoever asked. A write that lost a race re-reads and decides again.
 */
export async function updateSubscriber(
  subscribers: Pick<SubscribersRepository, 'get' | 'save'>,
  email: string,
  decide: (existing: Subscriber | undefined) => AdminUpdate | undefined,
  now: Date,
): Promise<SubscriberUpdate> {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const existing = await subscribers.get(email);
    const update = decide(existing);
    if (!update) return { subscriber: existing, created: false, changed: false };
    const next = applyAdminUpdate(existing, email, update, ulid(now.getTime()), now);
    if (await subscribers.save(next, existing))
      return { subscriber: next, created: existing === undefined, changed: true };
  }
  throw new ConflictError('busy', 'This subscriber is being changed by another request; try again');
}

function invalid(reason: TokenFailure): LinkOutcome {
  return { outcome: 'invalid', reason: reason === 'expired' ? 'expired' : 'invalid' };
}
