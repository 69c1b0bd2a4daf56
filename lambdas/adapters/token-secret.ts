import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireEnv } from '../config';

/**
 * The HMAC key for subscriber tokens, read once per execution environment. The local stack sets
 * `TOKEN_SECRET` directly; on AWS the function gets `TOKEN_SECRET_ARN` and reads Secrets Manager at cold start,
 * so the key never sits in the function configuration.
 */
let cached: Promise<string> | undefined;

export function loadTokenSecret(client?: SecretsManagerClient): Promise<string> {
  cached ??= fetchSecret(client).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function fetchSecret(client: SecretsManagerClient | undefined): Promise<string> {
  const direct = process.env.TOKEN_SECRET;
  if (direct !== undefined && direct.trim() !== '') return direct.trim();
  const secretId = requireEnv('TOKEN_SECRET_ARN');
  const secrets = client ?? new SecretsManagerClient({});
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined || SecretString.trim() === '') {
    throw new Error('The token secret is empty');
  }
  return SecretString.trim();
}
