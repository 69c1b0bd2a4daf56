import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { subscribersTable, vaultBucket } from '../adapters/data-model';
import { PrivateFeedFiles } from '../adapters/private-feed-files';
import { SubscribersStore } from '../adapters/subscribers-store';
import { loadTokenSecret } from '../adapters/token-secret';
import { requireEnv, tableName } from '../config';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';

/** The private feed's collaborators, built once per execution environment from its configuration. */
export async function privateFeedFromEnv() {
  return {
    tokens: new SubscriberTokens(await loadTokenSecret()),
    subscribers: new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env)),
    files: new PrivateFeedFiles(s3Client(), requireEnv(vaultBucket.env)),
  };
}
