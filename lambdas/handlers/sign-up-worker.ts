import { observed } from '../adapters/observability';
import { dynamoDocumentClient } from '../adapters/clients';
import { subscribersTable } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { SesMailer, sesClient } from '../adapters/mailer';
import { SubscribersStore } from '../adapters/subscribers-store';
import { loadTokenSecret } from '../adapters/token-secret';
import { loadPublication, requireEnv, tableName } from '../config';
import { signUpMessageSchema, SignUpProcessor } from '../core/subscribers/sign-up';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';
import { sqsConsumer } from '../events/sqs-consumer';

const publication = loadPublication();
const processor = new SignUpProcessor(
  new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env)),
  new SubscriberTokens(await loadTokenSecret()),
  new SesMailer(sesClient(), {
    fromAddress: publication.senderAddress,
    configurationSetName: requireEnv('SES_CONFIGURATION_SET'),
    ratePerSecond: publication.sendRatePerSecond,
  }),
  publication,
  (error, subscriberId) =>
    logger.error('Confirmation mail failed', { subscriberId, error: error instanceof Error ? error.name : 'unknown' }),
);

/**
 * Sign-up queue → the sign-up decision and the confirmation mail (`SignUpProcessor`). Each message stands alone:
 * one that fails is handed back for redelivery, the others are done. Logs the message id and the outcome, never
 * the address.
 */
const handle = sqsConsumer({
  schema: signUpMessageSchema,
  async handle(message, record) {
    const action = await processor.process(message, new Date());
    logger.info('Sign-up processed', { messageId: record.messageId, action });
  },
  // Only the API writes this queue; a message it cannot have written is dropped, not retried.
  onUnreadable: (record) =>
    logger.error('Sign-up message dropped: not one the API sends', { messageId: record.messageId }),
  onFailure: (record, error) =>
    logger.error('Sign-up failed', {
      messageId: record.messageId,
      error: error instanceof Error ? error.name : 'unknown',
    }),
});

export const handler = observed(handle);
