import { z } from 'zod';
import { SendRejectedError, type Mailer } from '../digest/outgoing-mail';
import type { Publication } from '../shared/publication';
import { memberSessionUrl } from '../shared/reader-urls';
import { parseWith } from '../shared/validation';
import { MAX_ROUNDS } from '../subscribers/subscriber-service';
import { emailSchema, signInVersionOf, type Subscriber } from '../subscribers/subscribers';
import type { SubscriberTokens } from '../subscribers/subscriber-tokens';
import { signInMail } from './member-pages';
import { MAX_NEXT_PATH_LENGTH, safeNextPath } from './next-path';
import type { MemberRecords, SignInQueue } from './ports';

/**
 * Member sign-in by email, in two halves like the sign-up. The login request ({@link SignInDesk}) never looks the
 * address up: it validates and queues, the same work and the same 202 whatever the address, so nobody learns who
 * subscribes. The sign-up worker ({@link SignInMailer}) then mails a link to an active subscriber and to nobody else.
 */

/** What a login posts: the address, and the same-site page to come back to. */
export const signInRequestSchema = z
  .object({
    email: emailSchema,
    next: z.string().max(MAX_NEXT_PATH_LENGTH, `must be at most ${MAX_NEXT_PATH_LENGTH} characters`).optional(),
  })
  .strict();

/** What the API queues for the worker on the sign-up queue (`kind` tells it from a sign-up). */
export const signInMessageSchema = z
  .object({ kind: z.literal('sign-in'), email: emailSchema, next: z.string().max(MAX_NEXT_PATH_LENGTH).optional() })
  .strict();
export type SignInMessage = z.infer<typeof signInMessageSchema>;

/**
 * At most 5 sign-in mails per address in any 15 minutes: the form cannot be used to flood an inbox, and a reader who
 * asks again because the first mail is slow (or a script signing in once per test) still gets a link each time.
 */
export const SIGN_IN_MAIL_WINDOW_MS = 15 * 60 * 1000;
export const SIGN_IN_MAILS_PER_WINDOW = 5;

export class SignInDesk {
  constructor(private readonly queue: SignInQueue) {}

  /** Validates (a 422 naming the field) and queues; an unsafe `next` is dropped, not refused: the reader goes home. */
  async accept(body: Record<string, unknown>): Promise<void> {
    const { email, next } = parseWith(signInRequestSchema, body);
    const safe = safeNextPath(next);
    await this.queue.send({ kind: 'sign-in', email, ...(safe === undefined ? {} : { next: safe }) });
  }
}

export type SignInMailDecision =
  { action: 'send'; subscriber: Subscriber } | { action: 'none'; reason: 'unknown' | 'not-active' | 'cooldown' };

/** Who gets a sign-in link: an active subscriber of any tier, within the allowance of the last 15 minutes. */
export function decideSignInMail(existing: Subscriber | undefined, now: Date): SignInMailDecision {
  if (!existing) return { action: 'none', reason: 'unknown' };
  if (existing.status !== 'active') return { action: 'none', reason: 'not-active' };
  const recent = (existing.signInMailsSentAt ?? []).filter(
    (sentAt) => now.getTime() - Date.parse(sentAt) < SIGN_IN_MAIL_WINDOW_MS,
  );
  if (recent.length >= SIGN_IN_MAILS_PER_WINDOW) return { action: 'none', reason: 'cooldown' };
  return {
    action: 'send',
    subscriber: {
      ...existing,
      signInMailsSentAt: [...recent, now.toISOString()],
      updatedAt: laterThan(existing, now).toISOString(),
    },
  };
}

/** In the sign-up worker: records the send (the cooldown), then mails the link. */
export class SignInMailer {
  constructor(
    private readonly subscribers: MemberRecords,
    private readonly tokens: SubscriberTokens,
    private readonly mailer: Mailer,
    private readonly publication: Publication,
    private readonly onMailFailure: (error: unknown, subscriberId: string) => void = () => undefined,
  ) {}

  /**
   * Throws when the mail could not be sent, so the queue delivers the message again; the send is taken off the
   * allowance first, or a retry could find it used up and send nothing. A permanent refusal (bad address) is not retried.
   */
  async process(message: SignInMessage, now: Date): Promise<SignInMailDecision['action']> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.subscribers.get(message.email);
      const decision = decideSignInMail(existing, now);
      if (decision.action === 'none') return 'none';
      if (!(await this.subscribers.save(decision.subscriber, existing))) continue;
      await this.send(decision.subscriber, safeNextPath(message.next), now);
      return 'send';
    }
    // Another request is changing this address right now: the reader can ask again.
    return 'none';
  }

  private async send(subscriber: Subscriber, next: string | undefined, now: Date): Promise<void> {
    const token = this.tokens.signInToken(subscriber.subscriberId, signInVersionOf(subscriber), now);
    const mail = signInMail(this.publication, memberSessionUrl(this.publication, token, next));
    try {
      await this.mailer.send({ to: subscriber.email, ...mail, tags: { kind: 'sign-in' } });
    } catch (error) {
      this.onMailFailure(error, subscriber.subscriberId);
      // The mail did not go: it does not count against the allowance.
      const unsent = (subscriber.signInMailsSentAt ?? []).slice(0, -1);
      await this.subscribers.save(
        { ...subscriber, signInMailsSentAt: unsent, updatedAt: laterThan(subscriber, now).toISOString() },
        subscriber,
      );
      if (!(error instanceof SendRejectedError)) throw error;
    }
  }
}

/**
 * A new `updatedAt` for a conditional write, strictly after the stored one: the whole-record writes are conditional
 * on `updatedAt`, so two writes must never leave the same value behind.
 */
export function laterThan(subscriber: Pick<Subscriber, 'updatedAt'>, now: Date): Date {
  const previous = Date.parse(subscriber.updatedAt);
  return new Date(Number.isNaN(previous) ? now.getTime() : Math.max(now.getTime(), previous + 1));
}
