import { join } from 'node:path';
import { AWS_CLI_FILES } from './aws-cli-profile';
import { portInUse } from './listen';
import { startLocalStack } from './stack';

/** `npm start`: the whole stack in one process, configured by DISPATCH_* variables (README, Configuration). */
function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number (0 picks a free one), got ${raw}`);
  }
  return value;
}

/** DISPATCH_SEND_RATE_PER_SECOND: the publication's SES send rate for this stack instead of cdk.json's. */
function sendRate(): number | undefined {
  const raw = process.env.DISPATCH_SEND_RATE_PER_SECOND;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`DISPATCH_SEND_RATE_PER_SECOND must be a positive number, got ${raw}`);
  return value;
}

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

/** The port variables and their defaults, read once; a busy port is reported by its variable. */
const PORTS = {
  DISPATCH_PORT: 3000,
  DISPATCH_SES_PORT: 8005,
  DISPATCH_DYNAMODB_PORT: 8000,
  DISPATCH_S3_PORT: 4569,
  DISPATCH_SQS_PORT: 9324,
} as const;
type PortVariable = keyof typeof PORTS;
const ports: Partial<Record<PortVariable, number>> = {};
const portOf = (name: PortVariable): number => (ports[name] = port(name, PORTS[name]));

/** Stops well inside the 10 s a supervisor gives between SIGTERM and SIGKILL. */
const STOP_TIMEOUT_MS = 8_000;

async function main(): Promise<void> {
  const dataDir = process.env.DISPATCH_DATA_DIR ?? '.dispatch';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'dispatch-local';
  const stack = await startLocalStack({
    dataDir,
    port: portOf('DISPATCH_PORT'),
    sesPort: portOf('DISPATCH_SES_PORT'),
    dynamodbPort: portOf('DISPATCH_DYNAMODB_PORT'),
    s3Port: portOf('DISPATCH_S3_PORT'),
    sqsPort: portOf('DISPATCH_SQS_PORT'),
    sweepIntervalMs: port('DISPATCH_SWEEP_SECONDS', 15) * 1000,
    retryDelayMs: 1000,
    schedules: true,
    isolateConsumers: true,
    streamBatchWindowMs: 1000,
    sendRatePerSecond: sendRate(),
    stripeWebhookSecret: process.env.DISPATCH_STRIPE_WEBHOOK_SECRET,
    log,
  });
  log(`Dispatch is running.
  API and site     ${stack.apiUrl}  (health: ${stack.apiUrl}/api/health, feeds: ${stack.apiUrl}/feeds/rss.xml)
  Editor console   ${stack.apiUrl}/console/  (sign in with the admin token below)
  SES inbox        ${stack.sesUrl}/store
  DynamoDB         ${stack.endpoints.dynamodb}   S3 ${stack.endpoints.s3}   SQS ${stack.endpoints.sqs}
  Admin token      ${stack.adminTokenFile}
  Stripe webhook   POST ${stack.apiUrl}/api/billing/stripe  (signing secret: ${stack.stripeWebhookSecret.file ?? '$DISPATCH_STRIPE_WEBHOOK_SECRET'})
  Endpoints file   ${join(dataDir, 'endpoints.json')}
  AWS CLI          export AWS_CONFIG_FILE=${join(dataDir, AWS_CLI_FILES.config)} AWS_SHARED_CREDENTIALS_FILE=${join(dataDir, AWS_CLI_FILES.credentials)}
                   aws --endpoint-url ${stack.endpoints.dynamodb} dynamodb scan --table-name dispatch-reports
Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: finishing deliveries in flight and stopping…`);
    // Whatever is still in flight after this is journaled and redelivered on the next start.
    setTimeout(() => {
      log(
        `Stop timed out after ${STOP_TIMEOUT_MS / 1000} s; exiting. Undelivered work stays journaled for the next start.`,
      );
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    stack.stop().then(
      () => {
        log('Stopped cleanly.');
        process.exit(0);
      },
      (error: unknown) => {
        log(`Stop failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  log(`Dispatch could not start: ${startFailure(error)}`);
  process.exit(1);
});

/** One line: a busy port by its variable, anything else by its message (never a stack trace). */
function startFailure(error: unknown): string {
  const busy = portInUse(error);
  if (busy !== undefined) {
    const name = (Object.keys(PORTS) as PortVariable[]).find((candidate) => ports[candidate] === busy);
    const variable = name ?? 'a DISPATCH_*_PORT variable';
    return `port ${busy} is in use${name ? ` (${name}=${busy})` : ''}; stop what holds it, or set ${variable} to another port (0 picks a free one)`;
  }
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}
