import { feedEligibility, memberSessionVersionOf, signInVersionOf, type Subscriber } from '../subscribers/subscribers';
import type { SubscriberTokens } from '../subscribers/subscriber-tokens';
import type { MemberRecords } from './ports';
import { laterThan } from './sign-in';

/**
 * Member sessions: the sign-in link checked (GET, changes nothing) and used (POST, single use), the session token
 * that goes into the `dispatch_member` cookie, who a cookie stands for, and sign-out. Pure apart from the records
 * port. A session is checked against the reader's record on every use (its version, status and tier), which is why
 * member pages are a Lambda route and not CloudFront signed cookies: a signed cookie is valid until it expires and
 * CloudFront cannot ask whether the reader still pays or has signed out.
 */

/** Why a sign-in link does not sign anyone in: `used` covers a link that was used, or made stale by a later one. */
export type SignInLinkFailure = 'expired' | 'invalid' | 'used';

export type SignInLinkCheck = { ok: true; subscriber: Subscriber } | { ok: false; reason: SignInLinkFailure };

export type SignInResult =
  { ok: true; sessionToken: string; subscriberId: string } | { ok: false; reason: SignInLinkFailure };

/** Who a request comes from: nobody we know, or a signed-in reader, who may read paid pages when `paid`. */
export type Member = { kind: 'anonymous' } | { kind: 'reader'; subscriber: Subscriber; paid: boolean };

/** Who may read paid pages: an active paid subscriber (the same rule as private feeds). */
export function readsPaidPages(subscriber: Subscriber): boolean {
  return feedEligibility(subscriber) === 'eligible';
}

export class MemberSessions {
  constructor(
    private readonly subscribers: MemberRecords,
    private readonly tokens: SubscriberTokens,
  ) {}

  /** For the confirm page: whether the link would sign in now. Never writes (mail scanners open links). */
  async checkLink(token: string | undefined, now: Date): Promise<SignInLinkCheck> {
    const check = this.tokens.verify(token, 'sign-in', now);
    if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'invalid' };
    const subscriber = await this.subscribers.getBySubscriberId(check.claims.subscriberId);
    // A correctly signed link for a record an operator removed, or a reader who left since.
    if (!subscriber || subscriber.status !== 'active') return { ok: false, reason: 'invalid' };
    if (check.claims.signInVersion !== signInVersionOf(subscriber)) return { ok: false, reason: 'used' };
    return { ok: true, subscriber };
  }

  /**
   * Uses the link: one conditional update moves the reader's sign-in version from the link's to the next, so of two
   * POSTs of the same link exactly one signs in, and every link mailed before dies with it. Then mints the session.
   */
  async signIn(token: string | undefined, now: Date): Promise<SignInResult> {
    const check = await this.checkLink(token, now);
    if (!check.ok) return check;
    const { subscriber } = check;
    const version = signInVersionOf(subscriber);
    if (
      !(await this.subscribers.advanceVersion(subscriber.email, 'signInVersion', version, laterThan(subscriber, now)))
    ) {
      return { ok: false, reason: 'used' };
    }
    const sessionToken = this.tokens.sessionToken(subscriber.subscriberId, memberSessionVersionOf(subscriber), now);
    return { ok: true, sessionToken, subscriberId: subscriber.subscriberId };
  }

  /** Who the session cookie stands for, checked against the record: version, status and tier as of now. */
  async member(sessionToken: string | undefined, now: Date): Promise<Member> {
    const subscriber = await this.sessionSubscriber(sessionToken, now);
    if (!subscriber || subscriber.status !== 'active') return { kind: 'anonymous' };
    return { kind: 'reader', subscriber, paid: readsPaidPages(subscriber) };
  }

  /**
   * Sign-out: moves the session version on, so this cookie dies everywhere (a copy in another browser too), not
   * only in the browser that clears it. Returns who was signed out, or undefined for a cookie that was already dead.
   */
  async signOut(sessionToken: string | undefined, now: Date): Promise<string | undefined> {
    const subscriber = await this.sessionSubscriber(sessionToken, now);
    if (!subscriber) return undefined;
    const version = memberSessionVersionOf(subscriber);
    const at = laterThan(subscriber, now);
    // False: the version moved on meanwhile (another sign-out, a downgrade), which revoked this cookie already.
    await this.subscribers.advanceVersion(subscriber.email, 'memberSessionVersion', version, at);
    return subscriber.subscriberId;
  }

  /** The subscriber a valid, current session token names; undefined for a forged, expired or revoked one. */
  private async sessionSubscriber(sessionToken: string | undefined, now: Date): Promise<Subscriber | undefined> {
    const check = this.tokens.verify(sessionToken, 'session', now);
    if (!check.ok) return undefined;
    const subscriber = await this.subscribers.getBySubscriberId(check.claims.subscriberId);
    if (!subscriber || check.claims.memberSessionVersion !== memberSessionVersionOf(subscriber)) return undefined;
    return subscriber;
  }
}
