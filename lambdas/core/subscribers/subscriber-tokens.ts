import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens that travel in subscriber URLs and cookies: confirmation links, one-click unsubscribe, private feed
 * URLs, the manage page, member sign-in links and member session cookies.
 *
 * Format: `{purpose}.{subscriberId}.{extra}.{signature}`, where the signature is base64url HMAC-SHA256 over a
 * versioned label and the first three fields. Every token names a subscriber by its opaque id, never by email:
 * URLs end up in mail client logs, proxies and referrers, and base64 would only hide an address, not protect it.
 *  - `c` confirm: extra = `{expiry}-{statusVersion}` (expiry in epoch seconds). The subscriber's statusVersion
 *    goes up with every status change, so a link minted before a later change (confirm → unsubscribe → the old
 *    link re-opened by a mail scanner) no longer matches and changes nothing. Links minted before versions
 *    existed carry the expiry alone; the service accepts those only for a reader who never confirmed.
 *  - `u` unsubscribe: extra = `0`; no expiry, because one-click must still work on a mail read months later.
 *  - `f` feed: extra = the subscriber's feedTokenVersion; bumping the version revokes every older feed URL.
 *  - `g` manage (series preferences and unsubscribe, the page linked from every mail): extra = `0`, no expiry,
 *    for the same reason as unsubscribe. A purpose of its own rather than the unsubscribe token: that one also
 *    travels in the List-Unsubscribe header, which mailbox providers read and act on, and it should let them
 *    unsubscribe and nothing else.
 *  - `s` sign-in (the member sign-in link): extra = `{expiry}-{signInVersion}`, 15 minutes. Signing in moves the
 *    version on, so the link is single use and every older link dies with it.
 *  - `m` member session (the `dispatch_member` cookie): extra = `{expiry}-{memberSessionVersion}`, 30 days. The
 *    version goes up on logout and whenever the reader stops being an active paid subscriber, which revokes every
 *    session cookie issued before, wherever it was copied to.
 */
export const TOKEN_PURPOSES = ['confirm', 'unsubscribe', 'feed', 'manage', 'sign-in', 'session'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

export const CONFIRM_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;
export const SIGN_IN_TOKEN_TTL_SECONDS = 15 * 60;
export const SESSION_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

const PURPOSE_CODES: Readonly<Record<TokenPurpose, string>> = {
  confirm: 'c',
  unsubscribe: 'u',
  feed: 'f',
  manage: 'g',
  'sign-in': 's',
  session: 'm',
};
/** Purposes whose extra is `{expiry}-{version}` and that die at their expiry. */
const EXPIRING_PURPOSES: readonly TokenPurpose[] = ['confirm', 'sign-in', 'session'];
const SIGNING_LABEL = 'dispatch.subscriber-token.v1';
/** ULIDs (and other ids we issue) are Crockford base32; anything else is not ours. */
const SUBSCRIBER_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const TOKEN_SHAPE = /^([cufgsm])\.([0-9A-Z]{26})\.(\d{1,12}(?:-\d{1,9})?)\.([A-Za-z0-9_-]{43})$/;

export type TokenClaims =
  | { purpose: 'confirm'; subscriberId: string; expiresAt: Date; statusVersion: number | 'unversioned' }
  | { purpose: 'unsubscribe'; subscriberId: string }
  | { purpose: 'feed'; subscriberId: string; feedTokenVersion: number }
  | { purpose: 'manage'; subscriberId: string }
  | { purpose: 'sign-in'; subscriberId: string; expiresAt: Date; signInVersion: number }
  | { purpose: 'session'; subscriberId: string; expiresAt: Date; memberSessionVersion: number };

export type TokenFailure = 'malformed' | 'forged' | 'expired' | 'wrong-purpose';

export type TokenCheck<P extends TokenPurpose> =
  { ok: true; claims: Extract<TokenClaims, { purpose: P }> } | { ok: false; reason: TokenFailure };

export class SubscriberTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('The subscriber token secret must be at least 32 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  confirmToken(subscriberId: string, statusVersion: number, now: Date, ttlSeconds = CONFIRM_TOKEN_TTL_SECONDS): string {
    if (!Number.isInteger(statusVersion) || statusVersion < 0) throw new Error('statusVersion must be >= 0');
    return this.sign('confirm', subscriberId, `${Math.floor(now.getTime() / 1000) + ttlSeconds}-${statusVersion}`);
  }

  unsubscribeToken(subscriberId: string): string {
    return this.sign('unsubscribe', subscriberId, '0');
  }

  /** The token of the manage page (`manageUrl`): series preferences and unsubscribe, no expiry. */
  manageToken(subscriberId: string): string {
    return this.sign('manage', subscriberId, '0');
  }

  feedToken(subscriberId: string, feedTokenVersion: number): string {
    if (!Number.isInteger(feedTokenVersion) || feedTokenVersion < 0) throw new Error('feedTokenVersion must be >= 0');
    return this.sign('feed', subscriberId, String(feedTokenVersion));
  }

  signInToken(subscriberId: string, signInVersion: number, now: Date): string {
    return this.sign('sign-in', subscriberId, expiringExtra(now, SIGN_IN_TOKEN_TTL_SECONDS, signInVersion));
  }

  sessionToken(subscriberId: string, memberSessionVersion: number, now: Date): string {
    return this.sign('session', subscriberId, expiringExtra(now, SESSION_TOKEN_TTL_SECONDS, memberSessionVersion));
  }

  /** Checks shape, signature (constant time), purpose and expiry, in that order; never throws. */
  verify<P extends TokenPurpose>(token: string | undefined, purpose: P, now: Date): TokenCheck<P> {
    const match = TOKEN_SHAPE.exec(token ?? '');
    if (!match) return { ok: false, reason: 'malformed' };
    const [, code = '', subscriberId = '', extra = '', signature = ''] = match;
    const expected = this.signature(code, subscriberId, extra);
    const presented = Buffer.from(signature, 'base64url');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return { ok: false, reason: 'forged' };
    }
    if (code !== PURPOSE_CODES[purpose]) return { ok: false, reason: 'wrong-purpose' };
    const [first = '', version] = extra.split('-');
    // Only expiring tokens carry a version; a signed `u`/`f`/`g` token with one is not a shape we issue, and sign-in and
    // session tokens never existed without one.
    if (version !== undefined && !EXPIRING_PURPOSES.includes(purpose)) return { ok: false, reason: 'malformed' };
    if (version === undefined && (purpose === 'sign-in' || purpose === 'session')) {
      return { ok: false, reason: 'malformed' };
    }
    const number = Number(first);
    const claims = ((): TokenClaims => {
      switch (purpose) {
        case 'confirm':
          return {
            purpose,
            subscriberId,
            expiresAt: new Date(number * 1000),
            statusVersion: version === undefined ? 'unversioned' : Number(version),
          };
        case 'unsubscribe':
        case 'manage':
          return { purpose, subscriberId };
        case 'sign-in':
          return { purpose, subscriberId, expiresAt: new Date(number * 1000), signInVersion: Number(version) };
        case 'session':
          return { purpose, subscriberId, expiresAt: new Date(number * 1000), memberSessionVersion: Number(version) };
        default:
          return { purpose: 'feed', subscriberId, feedTokenVersion: number };
      }
    })();
    if ('expiresAt' in claims && claims.expiresAt.getTime() <= now.getTime()) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, claims: claims as Extract<TokenClaims, { purpose: P }> };
  }

  private sign(purpose: TokenPurpose, subscriberId: string, extra: string): string {
    if (!SUBSCRIBER_ID.test(subscriberId)) throw new Error('A subscriber id must be a ULID');
    const code = PURPOSE_CODES[purpose];
    return `${code}.${subscriberId}.${extra}.${this.signature(code, subscriberId, extra).toString('base64url')}`;
  }

  private signature(code: string, subscriberId: string, extra: string): Buffer {
    return createHmac('sha256', this.key).update(`${SIGNING_LABEL}\n${code}\n${subscriberId}\n${extra}`).digest();
  }
}

function expiringExtra(now: Date, ttlSeconds: number, version: number): string {
  if (!Number.isInteger(version) || version < 0) throw new Error('A token version must be an integer >= 0');
  return `${Math.floor(now.getTime() / 1000) + ttlSeconds}-${version}`;
}
