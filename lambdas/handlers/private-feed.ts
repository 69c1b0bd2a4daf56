import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { subscribersTable, vaultBucket } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { PrivateFeedFiles } from '../adapters/private-feed-files';
import { SubscribersStore } from '../adapters/subscribers-store';
import { loadTokenSecret } from '../adapters/token-secret';
import { requireEnv, tableName } from '../config';
import { isFeedFile, serveFeed } from '../core/site/private-feeds';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';
import { feedEligibility } from '../core/subscribers/subscribers';
import { apiHandler, header, type ApiEvent, type ApiResult } from '../http/api';
import { PRIVATE_FEED_HEADERS } from '../http/security-headers';

const tokens = new SubscriberTokens(await loadTokenSecret());
const subscribers = new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env));
const files = new PrivateFeedFiles(s3Client(), requireEnv(vaultBucket.env));

/**
 * GET /feeds/private/{token}/{file}. The token is the credential. Every refusal (unknown file, bad token,
 * free, lapsed or unknown subscriber, revoked version) is the same empty 404, so the URL space reveals nothing
 * about who subscribes.
 */
async function route(event: ApiEvent): Promise<ApiResult> {
  const token = event.pathParameters?.token ?? '';
  const file = event.pathParameters?.file ?? '';
  if (!isFeedFile(file)) return notFound();
  const check = tokens.verify(token, 'feed', new Date());
  if (!check.ok) return notFound();
  const subscriber = await subscribers.getBySubscriberId(check.claims.subscriberId);
  if (
    !subscriber ||
    feedEligibility(subscriber) !== 'eligible' ||
    subscriber.feedTokenVersion !== check.claims.feedTokenVersion
  ) {
    logger.info('Private feed refused', { subscriberId: check.claims.subscriberId });
    return notFound();
  }
  const stored = await files.get(file);
  if (!stored) {
    // Nothing published yet: a temporary state, and feed readers drop feeds that answer 404.
    return { statusCode: 503, headers: { 'retry-after': '300', ...PRIVATE_FEED_HEADERS }, body: '' };
  }
  const served = serveFeed(file, stored, token, header(event, 'if-none-match'));
  return { statusCode: served.status, headers: served.headers, body: served.body };
}

function notFound(): ApiResult {
  return { statusCode: 404, headers: { ...PRIVATE_FEED_HEADERS }, body: '' };
}

export const handler = observed(apiHandler(route));
