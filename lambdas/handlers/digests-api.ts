import { observed } from '../adapters/observability';
import { logger } from '../adapters/logger';
import { listEditions } from '../core/digest/edition-list';
import { reconcileIfStalled } from '../core/digest/edition-reconcile';
import { editionProgress } from '../core/digest/edition';
import { sendEditionNow } from '../core/digest/manual-edition';
import { previewNextEdition, sendTestEdition } from '../core/digest/test-edition';
import { apiHandler, json, type ApiEvent, type ApiResult } from '../http/api';
import { editionControlAnswer as answer } from '../http/edition-control-answer';
import * as request from '../http/digest-requests';
import { badCursor } from '../http/list-requests';
import { ConflictError, NotFoundError } from '../core/shared/errors';
import { digestsApiFromEnv } from '../wiring/digests-api';

const { planner, digests, plans, control, testMailer, maxBodyBytes, previewReport } = digestsApiFromEnv();

type Route = (event: ApiEvent, now: Date) => Promise<ApiResult>;

const routes: Record<string, Route> = {
  'POST /api/digests': async (event, now) => {
    request.checkSendRequest(event);
    const outcome = await sendEditionNow(planner, plans, now);
    if (outcome.kind === 'empty') {
      const { start, end } = outcome.window;
      const message = `No report was published since the last edition (window ${start} to ${end}); nothing was sent`;
      throw new ConflictError('nothing_to_send', message);
    }
    const { edition, kind } = outcome;
    logger.info('Edition accepted', { editionId: edition.id, outcome: kind });
    const body = { ...editionProgress(edition), duplicate: kind === 'duplicate' };
    return json(202, body, { location: `/api/digests/${edition.id}` });
  },
  'GET /api/digests': async (event) =>
    json(200, await listEditions(digests.editions, request.editionListQuery(event)).catch(badCursor)),
  'GET /api/digests/preview': async (event, now) => {
    const tier = request.previewTier(event);
    return json(200, { tier, ...(await previewNextEdition(planner, tier, now)) });
  },
  'POST /api/digests/preview-report': async (event, now) =>
    json(200, await previewReport(request.reportBody(event, maxBodyBytes), now)),
  'POST /api/digests/test': async (event, now) => {
    const sent = await sendTestEdition(planner, testMailer, request.testSendRequest(event), now);
    logger.info('Test edition sent', { tier: sent.tier, messageId: sent.messageId });
    return json(202, sent);
  },
  'GET /api/digests/{id}': async (event) => {
    const edition = await digests.getEdition(request.editionId(event));
    if (!edition) throw new NotFoundError('No edition has this id');
    const { edition: current, recount } = await reconcileIfStalled(digests, edition, new Date());
    if (recount) logger.info('Edition reconciled', { editionId: current.id, ...recount });
    return json(200, editionProgress(current));
  },
  'GET /api/digests/{id}/deliveries': async (event) => {
    const outcome = request.deliveriesOutcome(event);
    const deliveries = await control.deliveries(request.editionId(event), outcome);
    if (!deliveries) throw new NotFoundError('No edition has this id');
    return json(200, { outcome, count: deliveries.length, deliveries });
  },
  'POST /api/digests/{id}/pause': async (event, now) =>
    answer(await control.pause(request.editionId(event), request.pauseReason(event) ?? 'paused by an operator', now)),
  'POST /api/digests/{id}/resume': async (event, now) => answer(await control.resume(request.editionId(event), now)),
  'POST /api/digests/{id}/cancel': async (event, now) => answer(await control.cancel(request.editionId(event), now)),
  'POST /api/digests/{id}/retry-unknown': async (event) =>
    answer(await control.retryUnknown(request.editionId(event)), 202),
};

const handle = apiHandler(async (event) => {
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
  return route(event, new Date());
});

export const handler = observed(handle);
