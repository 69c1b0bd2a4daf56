import { observed } from '../adapters/observability';
import { logger } from '../adapters/logger';
import { pageHtml, pages } from '../core/subscribers/subscriber-pages';
import { listSubscribers } from '../core/subscribers/subscriber-list';
import { subscriberView } from '../core/subscribers/subscribers';
import { apiHandler, html, json, jsonObjectBody, type ApiEvent, type ApiResult } from '../http/api';
import { NotFoundError } from '../core/shared/errors';
import { linkPage } from '../http/link-pages';
import { badCursor } from '../http/list-requests';
import { manageAnswer, manageForm, manageRefusal } from '../http/manage-requests';
import { subscriberListQuery } from '../http/subscriber-requests';
import { subscribersApiFromEnv } from '../wiring/subscribers-api';

const { publication, service, signUps, listing, manage } = await subscribersApiFromEnv();

type Route = (event: ApiEvent, now: Date) => Promise<ApiResult>;
const token = (event: ApiEvent): string | undefined => event.queryStringParameters?.token;
const email = (event: ApiEvent): string => event.pathParameters?.email ?? '';
const unsubscribed = pages.unsubscribed(publication);

const routes: Record<string, Route> = {
  'POST /api/subscribers': async (event, now) => {
    await signUps.accept(jsonObjectBody(event), now);
    return json(202, {
      status: 'pending',
      message:
        'If this address can subscribe, a confirmation mail is on its way. Follow its link to start receiving the digest.',
    });
  },
  'GET /api/subscribers/confirm': async (event, now) =>
    linkPage(publication, await service.confirm(token(event), now), 'confirmation', {
      done: pages.confirmed(publication),
      unchanged: pages.alreadyConfirmed(publication),
      refused: pages.confirmSuppressed(),
    }),
  'GET /api/unsubscribe': async (event, now) => {
    const outcome = service.checkUnsubscribeToken(token(event), now);
    if (outcome.outcome === 'invalid') return linkPage(publication, outcome, 'unsubscribe');
    const action = `/api/unsubscribe?token=${encodeURIComponent(token(event) ?? '')}`;
    return html(200, pageHtml(publication, pages.unsubscribeForm(publication, action)));
  },
  // RFC 8058: the body is `List-Unsubscribe=One-Click` from mail clients and our own form; the signed token alone
  // authorises the change, so no cookie or login is needed and the body is not required.
  'POST /api/unsubscribe': async (event, now) =>
    linkPage(publication, await service.unsubscribe(token(event), now), 'unsubscribe', {
      done: unsubscribed,
      unchanged: unsubscribed,
      refused: unsubscribed,
    }),
  // The reader's series and unsubscribe page: GET only shows it (mail scanners open links), the form POSTs here.
  'GET /api/subscribers/manage': async (event, now) =>
    manageAnswer(publication, token(event), await manage.show(token(event), now), 200),
  'POST /api/subscribers/manage': async (event, now) =>
    // Parsed inside the chain, so a body that is not the form is refused as a page like every other refusal here.
    Promise.resolve()
      .then(() => manage.submit(token(event), manageForm(event), now))
      .then(
        (outcome) => manageAnswer(publication, token(event), outcome, 409),
        (error: unknown) => manageRefusal(publication, token(event), error),
      ),
  // Addresses only in the answer: the query (an address prefix) is neither logged nor echoed.
  'GET /api/subscribers': async (event) =>
    json(200, await listSubscribers(listing, subscriberListQuery(event)).catch(badCursor)),
  'PUT /api/subscribers/{email}': async (event, now) => {
    const { subscriber, created } = await service.put(email(event), jsonObjectBody(event), now);
    const { subscriberId, tier, status } = subscriber;
    logger.info(created ? 'Subscriber created' : 'Subscriber updated', { subscriberId, tier, status });
    return json(200, { ...subscriberView(subscriber), created });
  },
  'GET /api/subscribers/{email}/feed-url': async (event) => json(200, { url: await service.feedUrl(email(event)) }),
};

const handle = apiHandler(async (event) => {
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
  return route(event, new Date());
});

export const handler = observed(handle);
