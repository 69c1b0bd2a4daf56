import { ulid } from 'ulid';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../shared/errors';
import type { Publication } from '../shared/publication';
import { privateFeedUrl } from '../shared/reader-urls';
import { parseWith } from '../shared/validation';
import { chosenSeries } from './series-preferences';
import type { SubscriberTokens, TokenFailure } from './subscriber-tokens';
import {
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
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.subscribers.get(email);
      const next = applyAdminUpdate(existing, email, update, ulid(now.getTime()), now);
      if (await this.subscribers.save(next, existing)) return { subscriber: next, created: existing === undefined };
    }
    throw new ConflictError('busy', 'This subscriber is being changed by another request; try again');
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

function invalid(reason: TokenFailure): LinkOutcome {
  return { outcome: 'invalid', reason: reason === 'expired' ? 'expired' : 'invalid' };
}
