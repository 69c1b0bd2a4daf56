import { observed } from '../adapters/observability';
import { logger } from '../adapters/logger';
import { memberPageHtml, memberPages } from '../core/members/member-pages';
import type { MemberPageAnswer } from '../core/members/member-reading';
import { redirectPathAfterSignIn, safeNextPath } from '../core/members/next-path';
import { InvalidInputError, NotFoundError } from '../core/shared/errors';
import { apiHandler, json, type ApiEvent, type ApiResult } from '../http/api';
import { clearedSessionCookie, memberCookie, sessionCookie } from '../http/member-cookie';
import { crossSitePost, formOrQuery, loginBody, memberHtml, movedPermanently, seeOther } from '../http/member-requests';
import { MEMBER_HEADERS } from '../http/security-headers';
import { membersFromEnv } from '../wiring/members';

const { publication, desk, sessions, reading } = await membersFromEnv();

type Route = (event: ApiEvent, now: Date) => Promise<ApiResult>;
const page = (status: number, content: Parameters<typeof memberPageHtml>[1]) =>
  memberHtml(status, memberPageHtml(publication, content));
const nextOf = (event: ApiEvent) => safeNextPath(formOrQuery(event, 'next'));

/** A member page answer as HTTP. */
function answer(result: MemberPageAnswer): ApiResult {
  if (result.kind === 'page') return memberHtml(200, result.html);
  if (result.kind === 'redirect') return movedPermanently(result.location);
  return page(404, memberPages.notFound());
}

const routes: Record<string, Route> = {
  // The same work and the same answer whatever the address: validate, queue (the sign-up worker mails).
  'POST /api/members/login': async (event) => {
    const { form, body } = loginBody(event);
    try {
      await desk.accept(body);
    } catch (error) {
      if (form && error instanceof InvalidInputError)
        return page(422, memberPages.invalidAddress(publication, nextOf(event)));
      throw error;
    }
    if (form) return page(202, memberPages.checkInbox());
    const message = 'If this address receives the digest, a sign-in link is on its way; it works once, for 15 minutes.';
    return json(202, { status: 'sent', message }, MEMBER_HEADERS);
  },
  // Mail scanners open links: the GET only shows a button, the POST signs in.
  'GET /api/members/session': async (event, now) => {
    const token = formOrQuery(event, 'token');
    const check = await sessions.checkLink(token, now);
    if (!check.ok) return page(400, memberPages.invalidLink(check.reason, nextOf(event)));
    return page(200, memberPages.confirm(publication, token ?? '', nextOf(event)));
  },
  'POST /api/members/session': async (event, now) => {
    const result = await sessions.signIn(formOrQuery(event, 'token'), now);
    if (!result.ok) {
      logger.info('Sign-in link refused', { reason: result.reason });
      return page(400, memberPages.invalidLink(result.reason, nextOf(event)));
    }
    logger.info('Member signed in', { subscriberId: result.subscriberId });
    return seeOther(redirectPathAfterSignIn(formOrQuery(event, 'next')), [sessionCookie(result.sessionToken)]);
  },
  // Clears this browser's cookie and revokes the session itself, so a copied cookie dies too.
  'POST /api/members/logout': async (event, now) => {
    const subscriberId = await sessions.signOut(memberCookie(event), now);
    if (subscriberId !== undefined) logger.info('Member signed out', { subscriberId });
    return seeOther('/', [clearedSessionCookie()]);
  },
  'GET /members/sign-in': async (event) => page(200, memberPages.signIn(publication, nextOf(event))),
  'GET /members/reports/{slug}': async (event, now) =>
    answer(
      await reading.reportPage(event.pathParameters?.slug ?? '', await sessions.member(memberCookie(event), now), now),
    ),
  'GET /members/editions/{id}': async (event, now) =>
    answer(await reading.editionPage(event.pathParameters?.id ?? '', await sessions.member(memberCookie(event), now))),
};

const handle = apiHandler(async (event) => {
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
  if (crossSitePost(event)) return page(403, memberPages.crossSite(nextOf(event)));
  return route(event, new Date());
});

export const handler = observed(handle);
