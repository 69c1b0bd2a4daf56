import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DispatchFunctionName } from '../../lambdas/app-model';
import { parsePublication } from '../../lambdas/core/shared/publication';
import { bundleSizes } from './bundle-sizes';
import { CheckRecorder, EventSources } from './checks';
import { readCloudAssembly, synthesizedFunctions, type SynthesizedFunction } from './cloud-assembly';
import { assertPathStyleWithoutSwitch, lambdaEnvironment, type LambdaEnvironment } from './lambda-environment';
import { LambdaService } from './lambda-service';
import { type LocalBackend, startLocalBackend } from './local-backend';
import { localEquivalents, localEquivalentTable } from './local-resources';
import { runScenario } from './scenario';
import { formatVerdicts, verdictFailures, type FunctionVerdict } from './summary';
import { TemplateApi } from './template-api';
import { readTriggers, triggerKindsOf } from './template-triggers';
import { TemplateResolver } from './template-values';

/**
 * `npm run verify:bundles [-- --no-synth] [--cdk-out DIR] [--verbose]`: synthesizes the app (unless told to reuse
 * cdk.out), then runs every synthesized Lambda from its bundle alone — copied out of the repository into the OS
 * temp dir, in a fresh `node` with the environment its template gives it (endpoints pointed at local emulators) —
 * invokes each through an event of its trigger's shape and checks the answers. One line per function; exit 1 on
 * any ✗.
 */

/** Repository root (test/bundles/ is two levels down); not taken from lib/, which would load the CDK. */
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const { values: options } = parseArgs({
  options: {
    'no-synth': { type: 'boolean', default: false },
    'cdk-out': { type: 'string', default: join(PROJECT_ROOT, 'cdk.out') },
    verbose: { type: 'boolean', default: false },
  },
});
const cdkOut = resolve(options['cdk-out']);

function synthesize(): Promise<number> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn('npx', ['cdk', 'synth', '--quiet', '--output', cdkOut], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
    });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done((Date.now() - started) / 1000) : fail(new Error(`cdk synth exited with ${code}`)),
    );
  });
}

const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

/** Each function's environment, or why it could not be resolved (that function then fails, the others still run). */
function resolveEnvironments(
  functions: readonly SynthesizedFunction[],
  resolver: TemplateResolver,
  backend: LocalBackend,
): Map<DispatchFunctionName, LambdaEnvironment | Error> {
  return new Map(
    functions.map((fn): [DispatchFunctionName, LambdaEnvironment | Error] => {
      try {
        return [fn.name, lambdaEnvironment(fn, resolver, backend)];
      } catch (error) {
        return [fn.name, error instanceof Error ? error : new Error(String(error))];
      }
    }),
  );
}

interface VerificationRun {
  readonly verdicts: readonly FunctionVerdict[];
  readonly header: readonly string[];
  readonly footer: string;
}

/** Runs the scenario against the bundles of `cdkOut` and judges each function; cleans up whatever it started. */
async function verifyAssembly(): Promise<VerificationRun> {
  const assembly = readCloudAssembly(cdkOut);
  const functions = synthesizedFunctions(assembly);
  const byName = new Map<DispatchFunctionName, SynthesizedFunction>(functions.map((fn) => [fn.name, fn]));
  const sizes = new Map(bundleSizes(cdkOut).map((size) => [size.name, size]));
  const publicationJson = byName.get('reports-api')?.environment.DISPATCH_PUBLICATION;
  if (typeof publicationJson !== 'string') throw new Error('reports-api has no literal DISPATCH_PUBLICATION');
  const publication = parsePublication(JSON.parse(publicationJson) as unknown);

  // Triggers reference queues by ARN only, which needs no port; queue URLs (Refs) exist once the endpoint listens.
  const noQueueUrlsYet = (): string => {
    throw new Error('queue URLs are known once the local SQS endpoint listens');
  };
  const triggers = readTriggers(
    assembly,
    new TemplateResolver(assembly, localEquivalents(localEquivalentTable(noQueueUrlsYet))),
  );
  const [authorizer, ...moreAuthorizers] = triggers.authorizers;
  if (moreAuthorizers.length > 0) throw new Error('The templates define more than one Lambda authorizer');

  const backend = await startLocalBackend(
    triggers.sources.flatMap((source) => (source.kind === 'stream' ? [source] : [])),
  );
  try {
    assertPathStyleWithoutSwitch(backend.endpoints.s3);
    const resolver = new TemplateResolver(
      assembly,
      localEquivalents(localEquivalentTable((queue) => backend.queueUrl(queue))),
    );
    const environments = resolveEnvironments(functions, resolver, backend);
    const bundlesRoot = await mkdtemp(join(tmpdir(), 'dispatch-bundles-'));
    const lambda = new LambdaService(
      byName,
      (fn) => {
        const environment = environments.get(fn.name);
        if (environment instanceof Error || environment === undefined) {
          throw new Error(`no environment: ${environment?.message ?? 'not resolved'}`);
        }
        return environment.variables;
      },
      bundlesRoot,
    );
    try {
      const recorder = new CheckRecorder(lambda);
      await runScenario({
        api: new TemplateApi(triggers.routes, authorizer, (fn, event) => lambda.invoke(fn, event)),
        backend,
        lambda,
        sources: new EventSources(triggers, backend, lambda),
        recorder,
        publication,
      });
      // The X-Ray SDK sends segments over UDP as they close; give the last ones a moment to arrive.
      await new Promise((settle) => setTimeout(settle, 500));

      const verdicts: FunctionVerdict[] = [];
      for (const fn of functions) {
        const kinds = triggerKindsOf(triggers, fn.name);
        const routes = triggers.routes.filter((route) => route.fn === fn.name).length;
        const environment = environments.get(fn.name);
        const invocations = lambda.invocations(fn.name);
        verdicts.push({
          name: fn.name,
          triggers: kinds.map((kind) => (kind === 'routes' ? `routes(${routes})` : kind)).join('+'),
          bundleKB: sizes.get(fn.name)?.bundleKB ?? Number.NaN,
          initMs: (await lambda.environmentIfStarted(fn.name))?.initMs,
          invocations,
          passed: recorder.records.get(fn.name)?.passed ?? [],
          failures: verdictFailures(
            fn.name,
            kinds,
            recorder.records.get(fn.name),
            {
              invocations,
              initError: lambda.initError(fn.name),
              environmentError: environment instanceof Error ? environment.message : undefined,
            },
            backend.traceSegments,
          ),
        });
        if (options.verbose) await printDetails(fn, environment, lambda);
      }

      const runtimes = [...new Set(functions.map((fn) => fn.runtime))].join(', ');
      const largest = [...sizes.values()].sort((a, b) => b.bundleKB - a.bundleKB)[0];
      const invocations = verdicts.reduce((sum, verdict) => sum + verdict.invocations, 0);
      return {
        verdicts,
        header: [
          `${functions.length} functions; node ${process.version} runs bundles built for ${runtimes}`,
          `  each bundle: copied to ${bundlesRoot}/<function>/task (no node_modules reachable), fresh node, only its template environment + the Lambda runtime's variables + AWS_ENDPOINT_URL_* → emulators`,
          `  S3: the templates set no DISPATCH_S3_FORCE_PATH_STYLE and none is added; s3rver listens on an IP literal (${backend.endpoints.s3}), where the SDK addresses buckets path-style by itself`,
          `  TOKEN_SECRET_ARN: read at cold start from a local Secrets Manager stand-in (GetSecretValue), not from the local stack's TOKEN_SECRET`,
        ],
        footer: `largest bundle: ${largest?.name} ${largest?.bundleKB.toFixed(1)} KB (largestBundleKB); invocations: ${invocations}; X-Ray segments received: ${backend.traceSegments.length}`,
      };
    } finally {
      await lambda.stopAll();
      await rm(bundlesRoot, { recursive: true, force: true });
    }
  } finally {
    await backend.stop();
  }
}

/** `--verbose`: where each template reference led, and the function's last output lines. */
async function printDetails(
  fn: SynthesizedFunction,
  environment: LambdaEnvironment | Error | undefined,
  lambda: LambdaService,
): Promise<void> {
  console.log(`\n${fn.name}: ${fn.assetDir}`);
  for (const variable of environment instanceof Error || environment === undefined ? [] : environment.resolved) {
    if (typeof variable.template !== 'string') {
      console.log(`  ${variable.name} = ${variable.local}  ← ${JSON.stringify(variable.template)}`);
    }
  }
  const started = await lambda.environmentIfStarted(fn.name);
  for (const line of started?.recentOutput().slice(-15) ?? []) console.log(`  | ${line}`);
}

async function main(): Promise<number> {
  const began = Date.now();
  let provenance: string;
  if (options['no-synth']) {
    const synthesizedAt = (await stat(join(cdkOut, 'manifest.json'))).mtime;
    provenance = `reusing ${cdkOut} (synthesized ${synthesizedAt.toISOString()})`;
  } else {
    provenance = `cdk synth --quiet took ${(await synthesize()).toFixed(1)} s`;
  }
  const verifying = Date.now();
  const { verdicts, header, footer } = await verifyAssembly();
  const passed = verdicts.filter((verdict) => verdict.failures.length === 0).length;
  const [first, ...rest] = header;
  console.log(
    [
      `verify:bundles — ${provenance}; ${first ?? ''}`,
      ...rest,
      '',
      ...formatVerdicts(verdicts),
      '',
      footer,
      `${passed}/${verdicts.length} functions ✓; verification ${seconds(verifying)} s, ${seconds(began)} s in all`,
    ].join('\n'),
  );
  return passed === verdicts.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `verify:bundles could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
