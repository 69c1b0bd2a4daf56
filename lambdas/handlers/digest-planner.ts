import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/clients';
import { mailQueue, subscribersTable } from '../adapters/data-model';
import { editionPlannerFromEnv } from '../adapters/edition-planner-factory';
import { ActiveSubscriberPages } from '../adapters/edition-sources';
import { logger } from '../adapters/logger';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { SubscribersStore } from '../adapters/subscribers-store';
import { requireEnv, tableName } from '../config';
import type { FanOut } from '../core/digest/edition-planner';
import { planMessageSchema } from '../core/digest/queue-messages';

const { planner } = editionPlannerFromEnv();
const fanOut: FanOut = {
  recipients: new ActiveSubscriberPages(new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env))),
  mailQueue: new JsonQueue(sqsClient(), requireEnv(mailQueue.env)),
};

/**
 * Plan queue consumer: `{trigger: 'schedule', scheduledTime}` from the digest schedule creates the edition for
 * the window ending at the scheduled time (one per window, however often it fires), `{editionId}` from the API
 * plans an existing one. A failed record is retried alone and ends in the DLQ after maxReceiveCount.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const parsed = planMessageSchema.safeParse(JSON.parse(record.body) as unknown);
      if (!parsed.success) throw new Error('The plan message is not one this planner understands');
      const message = parsed.data;
      let editionId: string;
      if ('trigger' in message) {
        const outcome = await planner.create(new Date(message.scheduledTime), 'schedule', new Date());
        if (outcome.kind === 'empty') {
          logger.info('Scheduled edition skipped: no new reports', {
            windowStart: outcome.window.start,
            windowEnd: outcome.window.end,
          });
          continue;
        }
        logger.info('Scheduled edition', { editionId: outcome.edition.id, outcome: outcome.kind });
        editionId = outcome.edition.id;
      } else if (message.retryUnknown) {
        const retried = await planner.retryUnknown(message.editionId, fanOut, () => new Date());
        logger.info('Unknown deliveries queued again', { editionId: message.editionId, status: retried?.status });
        continue;
      } else {
        editionId = message.editionId;
      }
      const planned = await planner.plan(editionId, fanOut, () => new Date());
      logger.info('Edition planned', { editionId, status: planned?.status, recipients: planned?.recipients });
    } catch (error) {
      logger.error('Planning failed', {
        messageId: record.messageId,
        error: error instanceof Error ? error.message : String(error),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};
