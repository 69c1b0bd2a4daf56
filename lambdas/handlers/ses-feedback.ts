import type { SNSEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/clients';
import { digestsTable, subscribersTable } from '../adapters/data-model';
import { DigestsStore } from '../adapters/digests-store';
import { logger } from '../adapters/logger';
import { SubscribersStore } from '../adapters/subscribers-store';
import { tableName } from '../config';
import { canSend } from '../core/digest/edition';
import { pauseReason } from '../core/digest/pause-rules';
import { feedbackAction } from '../core/digest/feedback';

const subscribers = new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env));
const digests = new DigestsStore(dynamoDocumentClient(), tableName(digestsTable.env));

/**
 * SNS → SES bounce and complaint events. Hard bounces and complaints suppress the address at once (the sender
 * re-checks status before every mail); each message counts once per edition, and an edition whose rates cross
 * the pause rules stops sending. Invoked asynchronously: a thrown error is retried by Lambda, and everything
 * done here is idempotent.
 */
export const handler = async (event: SNSEvent): Promise<void> => {
  for (const record of event.Records) {
    const action = feedbackAction(JSON.parse(record.Sns.Message) as unknown);
    if (!action) continue;
    const now = new Date();
    let changed = 0;
    for (const email of action.emails) {
      if (await subscribers.suppress(email, action.status, action.kind, action.keep, now)) changed += 1;
    }
    logger.info('SES feedback', {
      kind: action.kind,
      editionId: action.editionId,
      recipients: action.emails.length,
      changed,
    });
    if (!action.editionId || !(await digests.recordFeedback(action.editionId, action.messageId, action.kind, now)))
      continue;
    const edition = await digests.count(
      action.editionId,
      { [action.kind === 'bounce' ? 'bounced' : 'complained']: 1 },
      now,
    );
    const reason = canSend(edition.status) ? pauseReason(edition) : undefined;
    if (reason && (await digests.setStatus(edition.id, ['planning', 'sending'], 'paused', now, reason))) {
      logger.warn('Edition paused', { editionId: edition.id, reason });
    }
  }
};
