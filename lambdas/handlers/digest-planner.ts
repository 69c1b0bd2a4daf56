import { observed } from '../adapters/observability';
import { dynamoDocumentClient } from '../adapters/clients';
import { mailQueue, subscribersTable } from '../adapters/data-model';
import { editionPagesFromEnv, editionPlannerFromEnv } from '../wiring/edition-planner';
import { ActiveSubscriberPages } from '../adapters/edition-sources';
import { logger } from '../adapters/logger';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { SubscribersStore } from '../adapters/subscribers-store';
import { requireEnv, tableName } from '../config';
import type { FanOut } from '../core/digest/edition-planner';
import { planMessageSchema } from '../core/digest/queue-messages';
import { handlePlanRequest, type PlanRequestOutcome } from '../core/digest/plan-requests';
import { sqsConsumer } from '../events/sqs-consumer';

const { planner } = editionPlannerFromEnv();
const fanOut: FanOut = {
  recipients: new ActiveSubscriberPages(new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env))),
  mailQueue: new JsonQueue(sqsClient(), requireEnv(mailQueue.env)),
  pages: editionPagesFromEnv(),
};

/**
 * Plan queue consumer (`handlePlanRequest` says what each message asks for). A failed message is retried alone
 * and ends in the DLQ after maxReceiveCount.
 */
const handle = sqsConsumer({
  schema: planMessageSchema,
  async handle(message) {
    logOutcome(await handlePlanRequest(message, planner, fanOut, () => new Date()));
  },
  onFailure: (record, error) =>
    logger.error('Planning failed', {
      messageId: record.messageId,
      error: error instanceof Error ? error.message : String(error),
    }),
});

function logOutcome(outcome: PlanRequestOutcome): void {
  switch (outcome.kind) {
    case 'window-empty':
      logger.info('Scheduled edition skipped: no new reports', {
        windowStart: outcome.window.start,
        windowEnd: outcome.window.end,
      });
      return;
    case 'pages-refreshed':
      logger.info('Edition pages refreshed', { editionId: outcome.editionId, refreshed: outcome.refreshed });
      return;
    case 'unknown-requeued':
      logger.info('Unknown deliveries queued again', { editionId: outcome.editionId, status: outcome.edition?.status });
      return;
    case 'planned':
      if (outcome.created) logger.info('Scheduled edition', { editionId: outcome.editionId, outcome: outcome.created });
      logger.info('Edition planned', {
        editionId: outcome.editionId,
        status: outcome.edition?.status,
        recipients: outcome.edition?.recipients,
      });
  }
}

export const handler = observed(handle);
