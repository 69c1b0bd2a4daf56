import { observed } from '../adapters/observability';
import type { SNSEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/clients';
import { digestsTable, subscribersTable } from '../adapters/data-model';
import { EditionsStore } from '../adapters/editions-store';
import { logger } from '../adapters/logger';
import { emitMetric } from '../adapters/metrics';
import { SubscribersStore } from '../adapters/subscribers-store';
import { tableName } from '../config';
import { applyFeedback } from '../core/digest/feedback';

const subscribers = new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env));
const digests = new EditionsStore(dynamoDocumentClient(), tableName(digestsTable.env));

/**
 * SNS → SES bounce and complaint events (`applyFeedback`). Invoked asynchronously: a thrown error is retried by
 * Lambda, and everything the workflow does is idempotent. SNS has no partial batch response, so the records are
 * a plain loop.
 */
const handle = async (event: SNSEvent): Promise<void> => {
  for (const record of event.Records) {
    const outcome = await applyFeedback(JSON.parse(record.Sns.Message) as unknown, subscribers, digests, new Date());
    if (!outcome) continue;
    emitMetric(outcome.kind === 'bounce' ? 'Bounces' : 'Complaints', outcome.recipients);
    // Counts and ids only: the event names the readers' addresses.
    logger.info('SES feedback', {
      kind: outcome.kind,
      editionId: outcome.editionId,
      recipients: outcome.recipients,
      changed: outcome.changed,
    });
    if (outcome.paused) logger.warn('Edition paused', outcome.paused);
  }
};

export const handler = observed(handle);
