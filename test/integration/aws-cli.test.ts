import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

/**
 * Issue 11, finding 8: the README's `aws --endpoint-url` example failed on a fresh machine (no region, no
 * credentials, and S3 takes only the emulator's keys). The stack writes an AWS config and credentials file into
 * its data dir; with those two variables set, the README's commands work as written.
 */
const run = promisify(execFile);
let harness: Harness;
let home: string;
let awsCli: string | undefined;

beforeAll(async () => {
  harness = await startHarness();
  home = await mkdtemp(join(tmpdir(), 'dispatch-fresh-home-'));
  awsCli = await run('sh', ['-c', 'command -v aws'])
    .then(({ stdout }) => stdout.trim() || undefined)
    .catch(() => undefined);
  const created = await harness.api('/api/reports', {
    method: 'POST',
    json: {
      title: 'For the AWS CLI',
      summary: 'Something to list.',
      body: 'Text.',
      tier: 'complimentary',
      series: 'grid-watch',
    },
  });
  expect(created.status).toBe(201);
  await harness.stack.drain();
});

afterAll(async () => {
  await harness?.close();
  await rm(home, { recursive: true, force: true });
});

/** A fresh machine: no AWS variables, no ~/.aws; only the two files the README names. */
function freshEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  return {
    ...env,
    PYENV_ROOT: process.env.PYENV_ROOT ?? join(process.env.HOME ?? '', '.pyenv'),
    HOME: home,
    AWS_CONFIG_FILE: join(harness.dataDir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(harness.dataDir, 'aws-credentials'),
  };
}

describe('AWS CLI access to local state', () => {
  it('writes a config (region, endpoints, path-style S3) and the emulator keys into the data dir', async () => {
    const config = await readFile(join(harness.dataDir, 'aws-config'), 'utf8');
    const credentials = await readFile(join(harness.dataDir, 'aws-credentials'), 'utf8');
    const { endpoints } = harness.stack;
    expect(config).toContain('[default]');
    expect(config).toContain('region = us-east-1');
    expect(config).toContain(`endpoint_url = ${endpoints.dynamodb}`);
    expect(config).toContain(`endpoint_url = ${endpoints.s3}`);
    expect(config).toMatch(/addressing_style = path/);
    expect(credentials).toContain('aws_access_key_id = S3RVER');
    expect(credentials).toContain('aws_secret_access_key = S3RVER');
  });

  it('runs the README example against DynamoDB (dynalite) with those files only', async (context) => {
    if (!awsCli) context.skip();
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', harness.stack.endpoints.dynamodb, 'dynamodb', 'scan', '--table-name', 'dispatch-reports'],
      { env: freshEnv() },
    );
    expect(JSON.parse(stdout)).toMatchObject({ Count: expect.any(Number) });
    expect(stdout).toContain('For the AWS CLI');
  });

  it('runs the README example against S3 (s3rver, which takes only its own keys)', async (context) => {
    if (!awsCli) context.skip();
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', harness.stack.endpoints.s3, 's3', 'ls', 's3://dispatch-site/feeds/'],
      { env: freshEnv() },
    );
    expect(stdout).toContain('rss.xml');
  });
});
