import { dynamoDocumentClient } from '../adapters/clients';
import { rateLimitsTable, signUpQueue, subscribersTable } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { RateLimitStore } from '../adapters/rate-limit-store';
import { SubscribersStore } from '../adapters/subscribers-store';
import { loadTokenSecret } from '../adapters/token-secret';
import { loadPublication, requireEnv, tableName } from '../config';
import { SignUpDesk } from '../core/subscribers/sign-up';
import { pageHtml, pages, type Page } from '../core/subscribers/subscriber-pages';
import { SubscriberService, type LinkOutcome } from '../core/subscribers/subscriber-service';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';
import { subscriberView } from '../core/subscribers/subscribers';
import { apiHandler, html, json, jsonObjectBody, type ApiEvent, type ApiResult } from '../http/api';
import { NotFoundError } from '../http/errors';

const publication = loadPublication();
const service = new SubscriberService(
  new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env)),
  new SubscriberTokens(await loadTokenSecret()),
  publication,
);
// Sign-ups are counted and queued here; the sign-up worker decides and mails, so this function sends no mail.
const signUps = new SignUpDesk(
  new RateLimitStore(dynamoDocumentClient(), tableName(rateLimitsTable.env)),
  new JsonQueue(sqsClient(), requireEnv(signUpQueue.env)),
);

async function route(event: ApiEvent): Promise<ApiResult> {
  const now = new Date();
  const token = event.queryStringParameters?.token;
  const email = event.pathParameters?.email ?? '';
  switch (event.routeKey) {
    case 'POST /api/subscribers':
      await signUps.accept(jsonObjectBody(event), now);
      return json(202, {
        status: 'pending',
        message:
          'If this address can subscribe, a confirmation mail is on its way. Follow its link to start receiving the digest.',
      });
    case 'GET /api/subscribers/confirm':
      return linkPage(await service.confirm(token, now), 'confirmation', {
        done: pages.confirmed(publication),
        unchanged: pages.alreadyConfirmed(publication),
        refused: pages.confirmSuppressed(),
      });
    case 'GET /api/unsubscribe': {
      const outcome = service.checkUnsubscribeToken(token, now);
      if (outcome.outcome === 'invalid') return linkPage(outcome, 'unsubscribe');
      return html(200, pageHtml(publication, pages.unsubscribeForm(publication, unsubscribePath(token ?? ''))));
    }
    case 'POST /api/unsubscribe': {
      // RFC 8058: the body is `List-Unsubscribe=One-Click` from mail clients and our own form; the signed token
      // alone authorises the change, so no cookie or login is needed and the body is not required.
      const outcome = await service.unsubscribe(token, now);
      return linkPage(outcome, 'unsubscribe', {
        done: pages.unsubscribed(publication),
        unchanged: pages.unsubscribed(publication),
        refused: pages.unsubscribed(publication),
      });
    }
    case 'PUT /api/subscribers/{email}': {
      const { subscriber, created } = await service.put(email, jsonObjectBody(event), now);
      logger.info(created ? 'Subscriber created' : 'Subscriber updated', {
        subscriberId: subscriber.subscriberId,
        tier: subscriber.tier,
        status: subscriber.status,
      });
      return json(200, { ...subscriberView(subscriber), created });
    }
    case 'GET /api/subscribers/{email}/feed-url':
      return json(200, { url: await service.feedUrl(email) });
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
}

function linkPage(
  outcome: LinkOutcome,
  kind: 'confirmation' | 'unsubscribe',
  success?: Record<'done' | 'unchanged' | 'refused', Page>,
): ApiResult {
  if (outcome.outcome === 'invalid' || !success) {
    const reason = outcome.outcome === 'invalid' ? outcome.reason : 'invalid';
    logger.info('Subscriber link rejected', { kind, reason });
    return html(400, pageHtml(publication, pages.invalidLink(kind, reason)));
  }
  return html(outcome.outcome === 'refused' ? 409 : 200, pageHtml(publication, success[outcome.outcome]));
}

function unsubscribePath(token: string): string {
  return `/api/unsubscribe?token=${encodeURIComponent(token)}`;
}

export const handler = observed(apiHandler(route));
