import { SESSION_TOKEN_TTL_SECONDS } from '../core/subscribers/subscriber-tokens';
import type { ApiEvent } from './api';

/**
 * The member session cookie. Its value is the signed session token (`SubscriberTokens.sessionToken`), checked
 * against the reader's record on every request. HttpOnly (no script reads it), Secure, SameSite=Lax (sent on a
 * top-level navigation from a mail or another site, so a link to a member page opens signed in, but not on a
 * cross-site POST, so no other site can sign a reader out), for the whole site.
 */
export const MEMBER_COOKIE_NAME = 'dispatch_member';

const ATTRIBUTES = 'HttpOnly; Secure; SameSite=Lax; Path=/';

export function sessionCookie(sessionToken: string): string {
  return `${MEMBER_COOKIE_NAME}=${sessionToken}; ${ATTRIBUTES}; Max-Age=${SESSION_TOKEN_TTL_SECONDS}`;
}

/** The same cookie, emptied and expired: the browser drops it. */
export function clearedSessionCookie(): string {
  return `${MEMBER_COOKIE_NAME}=; ${ATTRIBUTES}; Max-Age=0`;
}

/**
 * The value of cookie `name` in `name=value` pairs as browsers send them (`a=1; b=2`, or one pair per entry as
 * API Gateway's payload 2.0 `cookies` lists them). The first pair of that name wins: browsers send the cookie of
 * the most specific path first. Values are taken as they are (our tokens are URL-safe); undefined when absent.
 */
export function cookieValue(pairs: readonly string[], name: string): string | undefined {
  for (const pair of pairs.flatMap((entry) => entry.split(';'))) {
    const separator = pair.indexOf('=');
    if (separator < 0) continue;
    if (pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

/**
 * The session token the request carries. API Gateway (payload 2.0) moves the Cookie header into `cookies`; the
 * header is read too, for a caller that kept it there.
 */
export function memberCookie(event: ApiEvent): string | undefined {
  const header = event.headers.cookie;
  return cookieValue([...(event.cookies ?? []), ...(header === undefined ? [] : [header])], MEMBER_COOKIE_NAME);
}
