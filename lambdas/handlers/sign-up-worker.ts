import { observed } from '../adapters/observability';
import { dynamoDocumentClient } from '../adapters/clients';
import { subscribersTable } from '../adapters/data-model';
import { logger } from '../adapters/logger';
import { SesMailer, sesClient } from '../adapters/mailer';
import { SubscribersStore } from '../adapters/subscribers-store';
import { loadTokenSecret } from '../adapters/token-secret';
import { loadPublication, requireEnv, tableName } from '../config';
import { signUpQueueMessageSchema } from '../core/members/queue-message';
import { SignInMailer } from '../core/members/sign-in';
import { SignUpProcessor } from '../core/subscribers/sign-up';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';
import { sqsConsumer } from '../events/sqs-consumer';

const publication = loadPublication();
const subscribers = new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env));
const tokens = new SubscriberTokens(await loadTokenSecret());
const mailer = new SesMailer(sesClient(), {
  fromAddress: publication.senderAddress,
  configurationSetName: requireEnv('SES_CONFIGURATION_SET'),
  ratePerSecond: publication.sendRatePerSecond,
});
const mailFailed = (kind: string) => (error: unknown, subscriberId: string) =>
  logger.error(`${kind} mail failed`, { subscriberId, error: error instanceof Error ? error.name : 'unknown' });
const signUps = new SignUpProcessor(subscribers, tokens, mailer, publication, mailFailed('Confirmation'));
const signIns = new SignInMailer(subscribers, tokens, mailer, publication, mailFailed('Sign-in'));

/**
 * Sign-up queue → the sign-up decision and the confirmation mail (`SignUpProcessor`), or a member's sign-in link
 * (`SignInMailer`). Each message stands alone: one that fails is handed back for redelivery, the others are done.
 * Logs the message id and the outcome, never the address.
 */
const handle = sqsConsumer({
  schema: signUpQueueMessageSchema,
  async handle(message, record) {
    if ('kind' in message) {
      const action = await signIns.process(message, new Date());
      logger.info('Sign-in processed', { messageId: record.messageId, action });
      return;
    }
    const action = await signUps.process(message, new Date());
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
