import { join } from 'node:path';
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

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

async function main(): Promise<void> {
  const dataDir = process.env.DISPATCH_DATA_DIR ?? '.dispatch';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'dispatch-local';
  const stack = await startLocalStack({
    dataDir,
    port: port('DISPATCH_PORT', 3000),
    sesPort: port('DISPATCH_SES_PORT', 8005),
    dynamodbPort: port('DISPATCH_DYNAMODB_PORT', 8000),
    s3Port: port('DISPATCH_S3_PORT', 4569),
    sqsPort: port('DISPATCH_SQS_PORT', 9324),
    sweepIntervalMs: port('DISPATCH_SWEEP_SECONDS', 15) * 1000,
    retryDelayMs: 1000,
    schedules: true,
    isolateConsumers: true,
    streamBatchWindowMs: 1000,
    log,
  });
  log(`Dispatch is running.
  API and site     ${stack.apiUrl}  (health: ${stack.apiUrl}/api/health, feeds: ${stack.apiUrl}/feeds/rss.xml)
  SES inbox        ${stack.sesUrl}/store
  DynamoDB         ${stack.endpoints.dynamodb}   S3 ${stack.endpoints.s3}   SQS ${stack.endpoints.sqs}
  Admin token      ${stack.adminTokenFile}
  Endpoints file   ${join(dataDir, 'endpoints.json')}
Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: finishing deliveries in flight and stopping…`);
    // Whatever is still in flight after this is journaled and redelivered on the next start.
    setTimeout(() => {
      log('Stop timed out after 20 s; exiting. Undelivered work stays journaled for the next start.');
      process.exit(1);
    }, 20_000).unref();
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
  log(`Dispatch could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
