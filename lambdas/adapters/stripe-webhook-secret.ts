import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STRIPE_WEBHOOK_SECRET_ARN_ENV, STRIPE_WEBHOOK_SECRET_ENV } from '../app-model';
import { requireEnv } from '../config';

/**
 * Stripe's webhook signing secret (`whsec_…`), read once per execution environment. The local stack sets
 * `STRIPE_WEBHOOK_SECRET` directly; on AWS the function gets the secret's ARN and reads Secrets Manager at cold
 * start, so the value never sits in the function configuration. Anything but a `whsec_` value fails the cold start
 * (the secret was created empty-handed and nobody pasted Stripe's value into it yet): Stripe then retries the
 * event for days, so nothing is lost while the operator sets it.
 */
export async function loadStripeWebhookSecret(client?: SecretsManagerClient): Promise<string> {
  const direct = process.env[STRIPE_WEBHOOK_SECRET_ENV];
  const value =
    direct !== undefined && direct.trim() !== ''
      ? direct.trim()
      : await fromSecretsManager(client ?? new SecretsManagerClient({}));
  if (!value.startsWith('whsec_')) {
    throw new Error(
      "The Stripe webhook signing secret is not set: put Stripe's whsec_… value into it (README, Billing)",
    );
  }
  return value;
}

async function fromSecretsManager(client: SecretsManagerClient): Promise<string> {
  const { SecretString } = await client.send(
    new GetSecretValueCommand({ SecretId: requireEnv(STRIPE_WEBHOOK_SECRET_ARN_ENV) }),
  );
  return (SecretString ?? '').trim();
}
