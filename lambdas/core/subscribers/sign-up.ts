import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { z } from 'zod';
import { SendRejectedError, type Mailer } from '../digest/outgoing-mail';
import { RateLimitedError } from '../shared/errors';
import type { Publication } from '../shared/publication';
import { confirmUrl } from '../shared/reader-urls';
import { parseWith } from '../shared/validation';
import { decideRate, rateWindow, type RateLimit } from './rate-limit';
import { MAX_ROUNDS, type SubscribersRepository } from './subscriber-service';
import { confirmationMail } from './subscriber-pages';
import type { SubscriberTokens } from './subscriber-tokens';
import {
  decideSignUp,
  emailSchema,
  signUpSchema,
  statusVersionOf,
  type Subscriber,
  type SignUpDecision,
} from './subscribers';

/**
 * Public sign-up in two halves. The request ({@link SignUpDesk}) never looks the address up: whether it is new,
 * pending, active or suppressed, the request does exactly the same work (one counter update, one queued message)
 * and answers 202 the same way, so neither the body nor the timing tells a stranger whether someone subscribes,
 * and no request waits for SES. The sign-up worker ({@link SignUpProcessor}) then decides and mails.
 */

/** What the API queues for the worker: the normalised address, nothing else. */
export const signUpMessageSchema = z.object({ email: emailSchema }).strict();
export type SignUpMessage = z.infer<typeof signUpMessageSchema>;

/** Five sign-ups a minute per address: a brake on flooding one inbox that any real reader never meets. */
export const SIGN_UP_LIMIT_PER_ADDRESS: RateLimit = { requests: 5, windowSeconds: 60 };

export interface RateCounter {
  /** Adds one to the counter `key` (created at 0) and returns the new count; the counter may vanish after `expiresAt`. */
  increment(key: string, expiresAt: number): Promise<number>;
}

export interface SignUpQueue {
  send(message: SignUpMessage): Promise<void>;
}

export class SignUpDesk {
  constructor(
    private readonly counter: RateCounter,
    private readonly queue: SignUpQueue,
    private readonly limit: RateLimit = SIGN_UP_LIMIT_PER_ADDRESS,
  ) {}

  /** Validates, counts and queues; refuses a malformed address and a sign-up past the per-address limit. */
  async accept(body: Record<string, unknown>, now: Date): Promise<void> {
    const { email } = parseWith(signUpSchema, body);
    const window = rateWindow(this.limit, now);
    const count = await this.counter.increment(addressCounterKey(email, window.startsAt), window.endsAt + 60);
    const decision = decideRate(count, this.limit, window, now);
    if (!decision.allowed) {
      throw new RateLimitedError(
        decision.retryAfterSeconds,
        'Too many sign-ups for this address; try again in a minute',
      );
    }
    await this.queue.send({ email });
  }
}

/** Hashed: the limits table must not become a second list of addresses. */
export function addressCounterKey(email: string, windowStart: number): string {
  return `sign-up#${createHash('sha256').update(email, 'utf8').digest('base64url')}#${windowStart}`;
}

/**
 * A queued sign-up, in the sign-up worker: creates a pending subscriber or re-sends the confirmation (at most once
 * per cooldown), never downgrades or resets an active one, mails nothing to a suppressed address.
 */
export class SignUpProcessor {
  constructor(
    private readonly subscribers: SubscribersRepository,
    private readonly tokens: SubscriberTokens,
    private readonly mailer: Mailer,
    private readonly publication: Publication,
    private readonly onMailFailure: (error: unknown, subscriberId: string) => void = () => undefined,
  ) {}

  /**
   * Throws when the mail could not be sent, so the queue delivers the message again; the cooldown is cleared
   * first, or the retry would find it and send nothing. A permanent refusal (bad address) is not retried.
   */
  async process(message: SignUpMessage, now: Date): Promise<SignUpDecision['action']> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.subscribers.get(message.email);
      const decision = decideSignUp(existing, message.email, ulid(now.getTime()), now);
      if (decision.action === 'none') return 'none';
      if (!(await this.subscribers.save(decision.subscriber, existing))) continue;
      await this.sendConfirmation(decision.subscriber, now);
      return decision.action;
    }
    // Another request is changing this address right now; it sends what is needed.
    return 'none';
  }

  private async sendConfirmation(subscriber: Subscriber, now: Date): Promise<void> {
    const token = this.tokens.confirmToken(subscriber.subscriberId, statusVersionOf(subscriber), now);
    const mail = confirmationMail(this.publication, confirmUrl(this.publication, token));
    try {
      await this.mailer.send({ to: subscriber.email, ...mail, tags: { kind: 'confirmation' } });
    } catch (error) {
      this.onMailFailure(error, subscriber.subscriberId);
      const { confirmationSentAt: _sent, ...rest } = subscriber;
      await this.subscribers.save({ ...rest, updatedAt: new Date(now.getTime() + 1).toISOString() }, subscriber);
      if (!(error instanceof SendRejectedError)) throw error;
    }
  }
}
