import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * An AWS CLI config and credentials file for the local stack, written into the data dir on every start (the
 * ports may change): with `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` pointing at them, `aws` works on a
 * machine that has never been configured. The region is the one the stack uses; the keys are s3rver's (the only
 * ones it accepts; dynalite takes any). Endpoints are listed per service for CLIs that read them (v2.13 / v1.29
 * on); older ones take `--endpoint-url`, as the README's examples do. Both `default` and `dispatch-local` carry
 * it, so `--profile dispatch-local` also wins over credentials in the environment.
 */
export const AWS_CLI_FILES = { config: 'aws-config', credentials: 'aws-credentials' } as const;
export const AWS_CLI_PROFILE = 'dispatch-local';
const LOCAL_KEY = 'S3RVER';

export interface LocalServiceEndpoints {
  region: string;
  dynamodb: string;
  s3: string;
  sqs: string;
  ses: string;
}

export function awsCliConfig(endpoints: LocalServiceEndpoints): string {
  const profile = [
    `region = ${endpoints.region}`,
    `services = ${AWS_CLI_PROFILE}`,
    // s3rver serves buckets by path only; checksums as the SDK clients of the stack send them.
    's3 =',
    '  addressing_style = path',
    'request_checksum_calculation = when_required',
    'response_checksum_validation = when_required',
  ].join('\n');
  const service = (name: string, url: string) => `${name} =\n  endpoint_url = ${url}`;
  return [
    '# Written by npm start (local/aws-cli-profile.ts) for the local stack; rewritten on every start.',
    '[default]',
    profile,
    '',
    `[profile ${AWS_CLI_PROFILE}]`,
    profile,
    '',
    `[services ${AWS_CLI_PROFILE}]`,
    service('dynamodb', endpoints.dynamodb),
    service('s3', endpoints.s3),
    service('sqs', endpoints.sqs),
    service('sesv2', endpoints.ses),
    '',
  ].join('\n');
}

export function awsCliCredentials(): string {
  const keys = `aws_access_key_id = ${LOCAL_KEY}\naws_secret_access_key = ${LOCAL_KEY}`;
  return `# Written by npm start: the local emulators' keys, nothing else.\n[default]\n${keys}\n\n[${AWS_CLI_PROFILE}]\n${keys}\n`;
}

export async function writeAwsCliProfile(dataDir: string, endpoints: LocalServiceEndpoints): Promise<void> {
  await writeFile(join(dataDir, AWS_CLI_FILES.config), awsCliConfig(endpoints));
  await writeFile(join(dataDir, AWS_CLI_FILES.credentials), awsCliCredentials(), { mode: 0o600 });
}
