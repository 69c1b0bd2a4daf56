import { z } from 'zod';
import { editionPlannerFromEnv } from '../adapters/edition-planner-factory';
import { logger } from '../adapters/logger';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { planQueue } from '../adapters/data-model';
import { requireEnv } from '../config';
import { READER_TIERS } from '../core/shared/reader-tier';
import { EditionControl, settleDeadClaims, type ControlOutcome } from '../core/digest/edition-control';
import { EditionLeakError } from '../core/digest/edition-planner';
import { DELIVERY_OUTCOMES } from '../core/digest/deliveries';
import { editionProgress, type EditionRecord } from '../core/digest/edition';
import { needsReconciliation, reconciledStatus, tallyDeliveries } from '../core/digest/reconciliation';
import type { PlanMessage } from '../core/digest/queue-messages';
import { apiHandler, json, jsonObjectBody, parseWith, rawBody, type ApiEvent, type ApiResult } from '../http/api';
import { ConflictError, NotFoundError } from '../http/errors';

const { planner, digests } = editionPlannerFromEnv();
const plans = new JsonQueue(sqsClient(), requireEnv(planQueue.env));
const control = new EditionControl(digests, plans);

const sendSchema = z.object({}).strict();
const previewSchema = z.object({ tier: z.enum(READER_TIERS, { message: 'must be free or paid' }) });
const deliveriesSchema = z.object({
  outcome: z.enum(DELIVERY_OUTCOMES, { message: `must be one of: ${DELIVERY_OUTCOMES.join(', ')}` }),
});
const pauseSchema = z.object({ reason: z.string().trim().min(1).max(300).optional() }).strict();

async function route(event: ApiEvent): Promise<ApiResult> {
  const now = new Date();
  switch (event.routeKey) {
    case 'POST /api/digests': {
      if (rawBody(event).trim() !== '') parseWith(sendSchema, jsonObjectBody(event));
      const outcome = await planner.create(now, 'manual', now);
      if (outcome.kind === 'empty') {
        throw new ConflictError(
          'nothing_to_send',
          `No report was published since the last edition (window ${outcome.window.start} to ${outcome.window.end}); nothing was sent`,
        );
      }
      // Sent for duplicates too: planning is idempotent, and it finishes an edition whose trigger died early.
      await plans.send({ editionId: outcome.edition.id } satisfies PlanMessage);
      logger.info('Edition accepted', { editionId: outcome.edition.id, outcome: outcome.kind });
      return json(
        202,
        { ...editionProgress(outcome.edition), duplicate: outcome.kind === 'duplicate' },
        {
          location: `/api/digests/${outcome.edition.id}`,
        },
      );
    }
    case 'GET /api/digests/preview': {
      const { tier } = parseWith(previewSchema, event.queryStringParameters ?? {});
      const preview = await planner.preview(tier, now).catch((error: unknown) => {
        if (error instanceof EditionLeakError)
          throw new ConflictError('leak_blocked', `${error.message}; see the logs`);
        throw error;
      });
      if (!preview) {
        throw new ConflictError(
          'nothing_to_preview',
          'No report was published since the last edition; there is nothing to preview',
        );
      }
      return json(200, { tier, ...preview });
    }
    case 'GET /api/digests/{id}': {
      const edition = await digests.getEdition(event.pathParameters?.id ?? '');
      if (!edition) throw new NotFoundError('No edition has this id');
      return json(200, editionProgress(await reconcileIfStalled(edition, new Date())));
    }
    case 'GET /api/digests/{id}/deliveries': {
      const { outcome } = parseWith(deliveriesSchema, event.queryStringParameters ?? {});
      const deliveries = await control.deliveries(editionId(event), outcome);
      if (!deliveries) throw new NotFoundError('No edition has this id');
      return json(200, { outcome, count: deliveries.length, deliveries });
    }
    case 'POST /api/digests/{id}/pause': {
      const body = rawBody(event).trim() === '' ? {} : parseWith(pauseSchema, jsonObjectBody(event));
      return answer(await control.pause(editionId(event), body.reason ?? 'paused by an operator', now));
    }
    case 'POST /api/digests/{id}/resume':
      return answer(await control.resume(editionId(event), now));
    case 'POST /api/digests/{id}/cancel':
      return answer(await control.cancel(editionId(event), now));
    case 'POST /api/digests/{id}/retry-unknown':
      return answer(await control.retryUnknown(editionId(event)), 202);
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
}

const editionId = (event: ApiEvent): string => event.pathParameters?.id ?? '';

function answer(outcome: ControlOutcome, status = 200): ApiResult {
  if (outcome.kind === 'not-found') throw new NotFoundError('No edition has this id');
  if (outcome.kind === 'conflict') {
    throw new ConflictError('edition_state', `${outcome.message} (it is ${outcome.edition.status})`);
  }
  logger.info('Edition control', { editionId: outcome.edition.id, status: outcome.edition.status });
  return json(status, editionProgress(outcome.edition));
}

/** A stalled edition is re-counted from its delivery records (see `needsReconciliation`). */
async function reconcileIfStalled(edition: EditionRecord, now: Date): Promise<EditionRecord> {
  if (!needsReconciliation(edition, now)) return edition;
  await settleDeadClaims(digests, edition.id, now);
  const tally = tallyDeliveries(await digests.deliveryOutcomes(edition.id), now);
  const { status, reason } = reconciledStatus(edition, tally, now);
  const reconciled = await digests.reconcile(edition.id, tally, status, now, reason);
  logger.info('Edition reconciled', { editionId: edition.id, status, ...tally });
  return reconciled ?? (await digests.getEdition(edition.id)) ?? edition;
}

export const handler = apiHandler(route);
