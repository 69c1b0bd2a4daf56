import { observed } from '../adapters/observability';
import { logger } from '../adapters/logger';
import { isFeedFile, serveFeed } from '../core/site/private-feeds';
import { privateFeedAccess } from '../core/subscribers/private-feed-access';
import { apiHandler, header, type ApiEvent, type ApiResult } from '../http/api';
import { PRIVATE_FEED_HEADERS } from '../http/security-headers';
import { privateFeedFromEnv } from '../wiring/private-feed';

const { tokens, subscribers, files } = await privateFeedFromEnv();

/**
 * GET /feeds/private/{token}/{file}. The token is the credential. Every refusal (unknown file, bad token,
 * free, lapsed or unknown subscriber, revoked version) is the same empty 404, so the URL space reveals nothing
 * about who subscribes.
 */
async function route(event: ApiEvent): Promise<ApiResult> {
  const token = event.pathParameters?.token ?? '';
  const file = event.pathParameters?.file ?? '';
  if (!isFeedFile(file)) return notFound();
  const access = await privateFeedAccess(tokens, subscribers, token, new Date());
  if (!access.granted) {
    if (access.subscriberId) logger.info('Private feed refused', { subscriberId: access.subscriberId });
    return notFound();
  }
  const stored = await files.get(file);
  if (!stored) {
    // Nothing published yet: a temporary state, and feed readers drop feeds that answer 404.
    return { statusCode: 503, headers: { 'retry-after': '300', ...PRIVATE_FEED_HEADERS }, body: '' };
  }
  const served = serveFeed(file, stored, token, header(event, 'if-none-match'));
  const headers = {
    'content-type': served.contentType,
    // The URL is the reader's credential: no shared or browser cache may keep the feed, no engine index it.
    ...PRIVATE_FEED_HEADERS,
    etag: served.etag,
    'last-modified': served.lastModified,
  };
  return { statusCode: served.status, headers, body: served.body };
}

function notFound(): ApiResult {
  return { statusCode: 404, headers: { ...PRIVATE_FEED_HEADERS }, body: '' };
}

const handle = apiHandler(route);

export const handler = observed(handle);
