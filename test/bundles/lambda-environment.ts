import { isIP } from 'node:net';
import { dirname } from 'node:path';
import type { SynthesizedFunction, TemplateValue } from './cloud-assembly';
import type { LocalBackend } from './local-backend';
import { LOCAL_REGION, localFunctionName } from './local-resources';
import type { TemplateResolver } from './template-values';

/**
 * The environment of one function's execution environment: exactly the template's `Environment.Variables`
 * (literals verbatim, intrinsics resolved to their local equivalents), plus what the Lambda runtime itself sets and
 * the `AWS_ENDPOINT_URL_*` variables that point the SDK at the emulators. Nothing else: no `TOKEN_SECRET`, no
 * `DISPATCH_S3_FORCE_PATH_STYLE`, none of the local stack's conveniences.
 */

export interface ResolvedVariable {
  readonly name: string;
  readonly template: TemplateValue;
  readonly local: string;
}

export interface LambdaEnvironment {
  readonly variables: Readonly<Record<string, string>>;
  /** The template's variables and what each became (for `--verbose`). */
  readonly resolved: readonly ResolvedVariable[];
}

/** Variables the Lambda service sets itself; a template may not set them (Lambda rejects reserved keys). */
const RESERVED = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
];

/**
 * The template does not set `DISPATCH_S3_FORCE_PATH_STYLE` (`lambdas/adapters/clients.ts` reads it), so a bundle can
 * reach s3rver only where the SDK picks path-style addressing by itself: at an IP-literal endpoint. Checked, not
 * assumed.
 */
export function assertPathStyleWithoutSwitch(s3Endpoint: string): void {
  if (isIP(new URL(s3Endpoint).hostname) === 0) {
    throw new Error(
      `The S3 emulator is at ${s3Endpoint}: the SDK would address buckets virtual-host style there, and the template sets no DISPATCH_S3_FORCE_PATH_STYLE`,
    );
  }
}

export function lambdaEnvironment(
  fn: SynthesizedFunction,
  resolver: TemplateResolver,
  backend: LocalBackend,
): LambdaEnvironment {
  const resolved = Object.entries(fn.environment).map(([name, template]) => {
    if (RESERVED.includes(name)) throw new Error(`${fn.name}: the template sets the reserved variable ${name}`);
    return { name, template, local: resolver.resolve(template, fn.stackName, `${fn.name}: ${name}`) };
  });
  const { endpoints, credentials } = backend;
  const functionName = localFunctionName(fn.name);
  const runtime: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `verify/[$LATEST]${functionName}`,
    ...(fn.logFormat === undefined ? {} : { AWS_LAMBDA_LOG_FORMAT: fn.logFormat }),
    // Tracing is Active in the template: the runtime hands the SDK a daemon address (here a UDP sink).
    AWS_XRAY_DAEMON_ADDRESS: endpoints.xrayDaemon,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
  };
  const emulators: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
  };
  return {
    variables: { ...runtime, ...emulators, ...Object.fromEntries(resolved.map(({ name, local }) => [name, local])) },
    resolved,
  };
}
