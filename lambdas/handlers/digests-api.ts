import { z } from 'zod';
import { editionPlannerFromEnv } from '../adapters/edition-planner-factory';
import { logger } from '../adapters/logger';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { planQueue } from '../adapters/data-model';
import { requireEnv } from '../config';
import { DIGEST_TIERS } from '../core/digest';
import {
  editionProgress,
  needsReconciliation,
  reconciledStatus,
  tallyDeliveries,
  type EditionRecord,
  type PlanMessage,
} from '../core/editions';
import { apiHandler, json, jsonObjectBody, parseWith, rawBody, type ApiEvent, type ApiResult } from '../http/api';
import { ConflictError, NotFoundError } from '../http/errors';

const { planner, digests } = editionPlannerFromEnv();
const plans = new JsonQueue(sqsClient(), requireEnv(planQueue.env));

const sendSchema = z.object({}).strict();
const previewSchema = z.object({ tier: z.enum(DIGEST_TIERS, { message: 'must be free or paid' }) });

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
      const preview = await planner.preview(tier, now);
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
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
}

/** A stalled edition is re-counted from its delivery records (see `needsReconciliation`). */
async function reconcileIfStalled(edition: EditionRecord, now: Date): Promise<EditionRecord> {
  if (!needsReconciliation(edition, now)) return edition;
  const tally = tallyDeliveries(await digests.deliveryOutcomes(edition.id), now);
  const { status, reason } = reconciledStatus(edition, tally, now);
  const reconciled = await digests.reconcile(edition.id, tally, status, now, reason);
  logger.info('Edition reconciled', { editionId: edition.id, status, ...tally });
  return reconciled ?? (await digests.getEdition(edition.id)) ?? edition;
}

export const handler = apiHandler(route);
