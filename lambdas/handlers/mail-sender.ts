import { observed } from '../adapters/observability';
import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { digestsTable, subscribersTable, vaultBucket } from '../adapters/data-model';
import { DigestsStore } from '../adapters/digests-store';
import { VaultCompiledEditions } from '../adapters/edition-sources';
import { logger } from '../adapters/logger';
import { emitMetric } from '../adapters/metrics';
import { SesMailer, sesClient } from '../adapters/mailer';
import { SubscribersStore } from '../adapters/subscribers-store';
import { loadTokenSecret } from '../adapters/token-secret';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
import { mailMessageSchema } from '../core/digest/queue-messages';
import { MailSender } from '../core/digest/mail-delivery';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';
import { RedeliveryRequested, sqsConsumer } from '../events/sqs-consumer';

const publication = loadPublication();
/** On AWS the SQS event source runs this many senders at most; each takes its share of the send rate. */
const workers = senderWorkers(process.env.MAIL_SENDER_MAX_CONCURRENCY);
const sender = new MailSender(
  new DigestsStore(dynamoDocumentClient(), tableName(digestsTable.env)),
  new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env)),
  new VaultCompiledEditions(new Vault(s3Client(), requireEnv(vaultBucket.env))),
  new SesMailer(sesClient(), {
    fromAddress: publication.senderAddress,
    configurationSetName: requireEnv('SES_CONFIGURATION_SET'),
    ratePerSecond: publication.sendRatePerSecond / workers,
  }),
  new SubscriberTokens(await loadTokenSecret()),
  publication,
);

/** Records not started with this much time left are handed back for redelivery rather than cut off mid-send. */
const SAFETY_MARGIN_MS = 5_000;

/**
 * Mail queue → `MailSender`, one message after the other. A message some of whose recipients are still owed an
 * attempt is handed back; on redelivery the sender's delivery records skip whoever was sent or has an unknown
 * outcome, so nobody is mailed twice.
 */
const handle = sqsConsumer({
  schema: mailMessageSchema,
  async handle(message, _record, context) {
    const result = await sender.send(message, () => context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS);
    logger.info('Mail batch processed', { editionId: message.editionId, ...result.outcomes });
    emitMetric('RecipientsSent', result.outcomes.sent);
    emitMetric('RecipientsFailed', result.outcomes.failed);
    for (const error of result.errors) {
      // The name only: a provider's or store's message may quote the reader's address.
      logger.error('Recipient failed', {
        editionId: message.editionId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    if (result.retry) throw new RedeliveryRequested();
  },
  onFailure: (record, error) =>
    logger.error('Mail batch failed', {
      messageId: record.messageId,
      error: error instanceof Error ? error.name : 'unknown',
    }),
});

function senderWorkers(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error('MAIL_SENDER_MAX_CONCURRENCY must be a positive integer');
  return value;
}

export const handler = observed(handle);
