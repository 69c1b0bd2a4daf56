import { dynamoDocumentClient } from '../adapters/clients';
import { rateLimitsTable, signUpQueue, subscribersTable } from '../adapters/data-model';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { RateLimitStore } from '../adapters/rate-limit-store';
import { SubscribersStore } from '../adapters/subscribers-store';
import { loadTokenSecret } from '../adapters/token-secret';
import { loadPublication, requireEnv, tableName } from '../config';
import { ManagePreferences } from '../core/subscribers/manage-preferences';
import { SignUpDesk } from '../core/subscribers/sign-up';
import { SubscriberService } from '../core/subscribers/subscriber-service';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';

/** The subscribers API's collaborators, built once per execution environment from its configuration. */
export async function subscribersApiFromEnv() {
  const publication = loadPublication();
  const subscribers = new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env));
  const tokens = new SubscriberTokens(await loadTokenSecret());
  const service = new SubscriberService(subscribers, tokens, publication);
  // Sign-ups are counted and queued here; the sign-up worker decides and mails, so this function sends no mail.
  const signUps = new SignUpDesk(
    new RateLimitStore(dynamoDocumentClient(), tableName(rateLimitsTable.env)),
    new JsonQueue(sqsClient(), requireEnv(signUpQueue.env)),
  );
  return {
    publication,
    service,
    signUps,
    listing: subscribers,
    manage: new ManagePreferences(subscribers, tokens, publication),
  };
}
