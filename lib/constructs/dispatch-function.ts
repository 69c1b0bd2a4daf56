import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METRICS_NAMESPACE } from '../../lambdas/adapters/metrics';

/** Repository root: lib/constructs/ is two levels down. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the one-file-per-Lambda handlers live. */
export const HANDLERS_DIR = join(PROJECT_ROOT, 'lambdas', 'handlers');

/**
 * Powertools environment of every function: the service is the handler's catalog name (`feed-publisher`), so
 * logs, traces and the `service` dimension of each metric say which function spoke, with the same name the
 * dashboard and alarms use; every metric goes to one namespace.
 */
export function powertoolsEnvironment(handlerName: string): Record<string, string> {
  return { POWERTOOLS_SERVICE_NAME: handlerName, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE };
}

/** Runtime for every Dispatch function: the newest Node.js LTS this aws-cdk-lib knows. */
export const DISPATCH_RUNTIME = Runtime.NODEJS_24_X;

/**
 * ESM bundles still meet CommonJS dependencies (mjml, html-to-text…) that call `require`; give them one.
 * The alias avoids clashing with any `createRequire` import inside the bundle.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __dispatchCreateRequire } from 'node:module'; const require = __dispatchCreateRequire(import.meta.url);";

/**
 * Supplies deployment code instead of bundling the handler with esbuild. Tests use it to keep synthesis fast;
 * `lib/app.ts` never sets it, so `cdk synth` and `cdk deploy` always bundle the real handlers.
 */
export type CodeOverride = (handlerName: string) => Code;

/** esbuild runs locally, so the hooks are plain shell commands on the build machine. */
function copyIntoBundleHooks(dirs: readonly string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      dirs.map((dir) => `cp -R "${join(inputDir, dir)}" "${join(outputDir, dir)}"`),
  };
}

export interface DispatchFunctionProps {
  /** Handler file name under `lambdas/handlers/` without extension, e.g. `reports-api`. */
  readonly handlerName: string;
  /** What the function does; shown in the console. */
  readonly description: string;
  /** The publication JSON handed to the function as `DISPATCH_PUBLICATION`. */
  readonly publicationJson: string;
  /**
   * Extra environment variables (table names, bucket names, queue URLs…).
   * @default - only the Dispatch defaults (`NODE_OPTIONS`, the Powertools service and metrics namespace,
   * `DISPATCH_PUBLICATION`)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Reserved concurrency; leave unset for queue consumers (use the event source's `maxConcurrency`).
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * esbuild loaders by extension, e.g. `{ '.mjml': 'text' }` to inline templates.
   * @default - esbuild's defaults
   */
  readonly loader?: Readonly<Record<string, string>>;
  /**
   * Project-relative directories copied next to the bundle (e.g. `templates` for the MJML digest templates, which
   * the renderer reads at run time from `./templates/`).
   * @default - nothing besides the bundle
   */
  readonly copyIntoBundle?: readonly string[];
  /**
   * Log retention for the function's own log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Pre-built code instead of esbuild bundling (tests only, see {@link CodeOverride}).
   * @default - the handler is bundled with esbuild
   */
  readonly codeOverride?: CodeOverride;
}

/**
 * The one Lambda function shape of Dispatch: arm64, current Node.js LTS, ESM bundle with source maps and the AWS SDK
 * bundled in, a log group with retention that outlives the stack, bounded timeout and memory. Handlers only
 * choose what differs (entry, environment, sizing).
 */
export class DispatchFunction extends NodejsFunction {
  /** The function's log group (retained on stack deletion, expires per retention). */
  public readonly functionLogGroup: LogGroup;
  /** The execution role; grants go through the catalog in `lambdas/app-model.ts`. */
  public readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: DispatchFunctionProps) {
    const entry = join(HANDLERS_DIR, `${props.handlerName}.ts`);
    DispatchFunction.validate(props, entry);

    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs are the operator's evidence (leak-scan blocks, send failures); keep them past a stack deletion,
      // retention still expires their content.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Own role instead of AWSLambdaBasicExecutionRole (CreateLogGroup/PutLogEvents on *): this function may
    // write to its own log group and nothing else until a grant says so.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.handlerName} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      role,
      entry,
      // NodejsFunction prefixes `index.` for its own bundle only; keep the same handler string for pre-built code.
      handler: props.codeOverride === undefined ? 'handler' : 'index.handler',
      description: props.description,
      runtime: DISPATCH_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 256,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // Every function is traced; Powertools Tracer adds the handler and SDK subsegments (observability.ts).
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: SystemLogLevel.WARN,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      code: props.codeOverride?.(props.handlerName),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...powertoolsEnvironment(props.handlerName),
        DISPATCH_PUBLICATION: props.publicationJson,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // The SDK is bundled, tree-shaken and minified with the handler, not taken from the runtime: importing
        // the bundled submit handler took 112–150 ms against 346–383 ms with the SDK external, side by side on one
        // machine (issue 13), and the version we test is the version that runs. mjml stays out of every bundle but
        // the digest functions' because only lambdas/render imports it.
        externalModules: [],
        loader: props.loader === undefined ? undefined : { ...props.loader },
        commandHooks:
          props.copyIntoBundle === undefined || props.copyIntoBundle.length === 0
            ? undefined
            : copyIntoBundleHooks(props.copyIntoBundle),
      },
    });
    this.functionLogGroup = logGroup;
    this.executionRole = role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: CDK grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permission (X-Ray has no per-function resource).',
    });
  }

  private static validate(props: DispatchFunctionProps, entry: string): void {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(props.handlerName)) {
      throw new Error(`Handler name must be kebab-case, got "${props.handlerName}"`);
    }
    if (props.codeOverride === undefined && !existsSync(entry)) {
      throw new Error(`No handler file for "${props.handlerName}": expected ${entry}`);
    }
    // Lambda allows 4 KB of environment in total; leave room for table, bucket and queue names.
    if (Buffer.byteLength(props.publicationJson, 'utf8') > 3072) {
      throw new Error('The publication JSON exceeds 3 KB; Lambda environment variables are limited to 4 KB in total');
    }
    for (const dir of props.copyIntoBundle ?? []) {
      if (dir.startsWith('/') || dir.split(/[\\/]/).includes('..') || !/^[\w./-]+$/.test(dir)) {
        throw new Error(`copyIntoBundle entries must be plain project-relative paths, got "${dir}"`);
      }
      if (props.codeOverride === undefined && !existsSync(join(PROJECT_ROOT, dir))) {
        throw new Error(
          `Cannot copy "${dir}" into the ${props.handlerName} bundle: ${join(PROJECT_ROOT, dir)} does not exist`,
        );
      }
    }
    const memorySize = props.memorySize ?? 256;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`memorySize must be an integer between 128 and 10240 MB, got ${memorySize}`);
    }
    const timeout = props.timeout?.toSeconds() ?? 10;
    if (timeout > 900) {
      throw new Error(`timeout must be at most 15 minutes, got ${timeout} s`);
    }
  }
}
