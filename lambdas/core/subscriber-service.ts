import { ulid } from 'ulid';
import { z } from 'zod';
import { parseWith } from '../http/api';
import { ConflictError, NotFoundError } from '../http/errors';
import type { Mailer } from './outgoing-mail';
import type { Publication } from './publication';
import { confirmationMail } from './subscriber-pages';
import type { SubscriberTokens, TokenFailure } from './subscriber-tokens';
import {
  adminUpdateSchema,
  applyAdminUpdate,
  decideConfirm,
  decideSignUp,
  decideUnsubscribe,
  emailSchema,
  feedEligibility,
  signUpSchema,
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
  { outcome: 'done' | 'unchanged' | 'refused' } | { outcome: 'invalid'; reason: 'expired' | 'invalid' };

const emailParameter = z.object({ email: emailSchema });

/** A write that lost a race re-reads and decides again; a handful of rounds settles any real contention. */
const MAX_ROUNDS = 5;

export class SubscriberService {
  constructor(
    private readonly subscribers: SubscribersRepository,
    private readonly tokens: SubscriberTokens,
    private readonly mailer: Mailer,
    private readonly publication: Publication,
    private readonly onMailFailure: (error: unknown, subscriberId: string) => void = () => undefined,
  ) {}

  /**
   * Public sign-up. Resolves the same way whatever the address's state (the caller always answers 202), so
   * the response never tells a stranger whether someone subscribes.
   */
  async signUp(body: Record<string, unknown>, now: Date): Promise<void> {
    const { email } = parseWith(signUpSchema, body);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.subscribers.get(email);
      const decision = decideSignUp(existing, email, ulid(now.getTime()), now);
      if (decision.action === 'none') return;
      if (!(await this.subscribers.save(decision.subscriber, existing))) continue;
      await this.sendConfirmation(decision.subscriber, now);
      return;
    }
    // Another request is changing this address right now; it will send what is needed. Sign-up always answers
    // 202 (no account probing), so contention is not the caller's problem either.
  }

  async confirm(token: string | undefined, now: Date): Promise<LinkOutcome> {
    const check = this.tokens.verify(token, 'confirm', now);
    if (!check.ok) return invalid(check.reason);
    return this.transition(check.claims.subscriberId, (existing) => {
      const decision = decideConfirm(existing, now);
      if (decision.action === 'activate') return { next: decision.subscriber };
      return { outcome: decision.action === 'refuse' ? 'refused' : 'unchanged' };
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
    const update = parseWith(adminUpdateSchema, body);
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

  private async sendConfirmation(subscriber: Subscriber, now: Date): Promise<void> {
    const token = this.tokens.confirmToken(subscriber.subscriberId, now);
    const mail = confirmationMail(
      this.publication,
      `${this.publication.siteUrl}/api/subscribers/confirm?token=${token}`,
    );
    try {
      await this.mailer.send({ to: subscriber.email, ...mail, tags: { kind: 'confirmation' } });
    } catch (error) {
      // The reader still gets 202 (a failure here must not reveal anything); clearing the cooldown lets the
      // next sign-up try again at once.
      this.onMailFailure(error, subscriber.subscriberId);
      const { confirmationSentAt: _sent, ...rest } = subscriber;
      await this.subscribers.save({ ...rest, updatedAt: new Date(now.getTime() + 1).toISOString() }, subscriber);
    }
  }

  private async transition(
    subscriberId: string,
    decide: (existing: Subscriber) => { next: Subscriber } | { outcome: 'unchanged' | 'refused' },
  ): Promise<LinkOutcome> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.subscribers.getBySubscriberId(subscriberId);
      // A correctly signed token for a subscriber that no longer exists: the record was removed by an operator.
      if (!existing) return { outcome: 'invalid', reason: 'invalid' };
      const decision = decide(existing);
      if ('outcome' in decision) return { outcome: decision.outcome };
      if (await this.subscribers.save(decision.next, existing)) return { outcome: 'done' };
    }
    throw new ConflictError('busy', 'This subscription is being changed by another request; try again');
  }
}

export function privateFeedUrl(publication: Publication, feedToken: string, file = 'rss.xml'): string {
  return `${publication.siteUrl}/feeds/private/${feedToken}/${file}`;
}

function invalid(reason: TokenFailure): LinkOutcome {
  return { outcome: 'invalid', reason: reason === 'expired' ? 'expired' : 'invalid' };
}
