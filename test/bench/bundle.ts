import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { BUCKETS, QUEUES, TABLES } from '../../lambdas/adapters/data-model';
import { FUNCTION_NAMES } from '../../lambdas/app-model';
import {
  DISPATCH_RUNTIME,
  ESM_REQUIRE_BANNER,
  HANDLERS_DIR,
  PROJECT_ROOT,
} from '../../lib/constructs/dispatch-function';
import { median, round } from './stats';

const run = promisify(execFile);

/**
 * The submit Lambda built two ways in one run — as DispatchFunction deploys it (AWS SDK bundled, tree-shaken,
 * minified) and the old way (SDK external, taken from the runtime) — each imported in fresh Node processes,
 * interleaved, to time module initialisation. Every other function is built as deployed to find the largest bundle.
 */
export interface BundleFigures {
  target: string;
  bundled: BuildFigures;
  runtimeSdk: BuildFigures & { sdkImportMs: number; ownInitMs: number; externalSdkImports: string[] };
  /** bundled init ÷ runtime-SDK init (medians of the same interleaved runs). */
  initRatio: number;
  /** Every function's index.mjs as deployed (without its source map), largest first. */
  functionBundles: { name: string; kB: number }[];
}

interface BuildFigures {
  bundleKB: number;
  sourceMapKB: number;
  largestInputs: { path: string; kB: number }[];
  /** Fresh process, import() of the bundle (and, for the runtime-SDK build, of the SDK packages it imports). */
  initMs: number;
  initRuns: number[];
  /** With NODE_OPTIONS=--enable-source-maps, as the function construct configures the Lambda. */
  initMsWithSourceMaps: number;
}

const SUBMIT = 'reports-api';
/**
 * The runtime-SDK build lives under the repo so its external @aws-sdk imports resolve from node_modules, as
 * /var/runtime would provide them; the deployed build is copied to the OS temp dir, where nothing but the bundle
 * is reachable, as in the Lambda's /var/task.
 */
const SCRATCH = join(PROJECT_ROOT, 'test', 'bench', '.out');
const INIT_RUNS = 7;

/** NodejsFunction's target for the construct's runtime: nodejs24.x → node24. */
const esbuildTarget = (): string => DISPATCH_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/** The options NodejsFunction passes for DispatchFunction's `bundling` block; `external` is the only variable. */
async function bundle(
  handler: string,
  dir: string,
  external: string[],
): Promise<{ outfile: string; metafile: Metafile }> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  const result = await build({
    entryPoints: [join(HANDLERS_DIR, `${handler}.ts`)],
    bundle: true,
    platform: 'node',
    target: esbuildTarget(),
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external,
    outfile,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
  });
  return { outfile, metafile: result.metafile };
}

interface InitSample {
  total: number;
  sdk: number;
  own: number;
}

/**
 * One fresh process with `cwd`: the SDK packages the bundle imports externally are loaded first (none for the
 * deployed build), then the bundle; total = both, i.e. what `import()` of the bundle alone costs.
 */
async function initOnce(outfile: string, cwd: string, sdkImports: string[], nodeOptions: string): Promise<InitSample> {
  const script = [
    'const t0 = performance.now();',
    ...sdkImports.map((name) => `await import(${JSON.stringify(name)});`),
    'const t1 = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(outfile).href)});`,
    'const t2 = performance.now();',
    'process.stdout.write(JSON.stringify({ total: t2 - t0, sdk: t1 - t0, own: t2 - t1 }));',
  ].join(' ');
  const publication = JSON.stringify(
    (await import('../../cdk.json', { with: { type: 'json' } })).default.context.dispatch,
  );
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: nodeOptions,
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      // Dead ports: nothing is called at import, and nothing may leave the machine if it were.
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      POWERTOOLS_SERVICE_NAME: 'dispatch',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      DISPATCH_PUBLICATION: publication,
      // Every resource name any handler reads at cold start; the data model lists them, as the stacks do.
      ...Object.fromEntries(TABLES.map((table) => [`TABLE_${table.env}`, `bench-${table.env.toLowerCase()}`])),
      ...Object.fromEntries(BUCKETS.map((bucket) => [bucket.env, `bench-${bucket.id.toLowerCase()}`])),
      ...Object.fromEntries(QUEUES.map((queue) => [queue.env, 'http://127.0.0.1:9/000000000000/bench'])),
    },
  }).catch((error: unknown) => {
    // The bundle is minified onto a few huge lines; keep the error's message and stack, not the source dump.
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const message = stderr.split('\n').find((line) => /^\w*Error\b/.test(line)) ?? 'no error line';
    throw new Error(`Importing ${outfile} failed: ${message}`);
  });
  const sample = JSON.parse(stdout) as InitSample;
  if (!Number.isFinite(sample.total)) throw new Error(`The init probe printed ${stdout}`);
  return sample;
}

const kB = (bytes: number): number => round(bytes / 1024, 1);

function outputOf(metafile: Metafile) {
  const output = metafile.outputs[Object.keys(metafile.outputs).find((name) => name.endsWith('index.mjs')) ?? ''];
  if (!output) throw new Error('esbuild wrote no index.mjs');
  return output;
}

function largestInputs(metafile: Metafile): { path: string; kB: number }[] {
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(outputOf(metafile).inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'dispatch (lambdas/, templates/)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([path, bytes]) => ({ path, kB: kB(bytes) }));
}

export async function measureBundle(log: (line: string) => void): Promise<BundleFigures> {
  const taskDir = await mkdtemp(join(tmpdir(), 'dispatch-bench-task-'));
  try {
    return await bundleAndInit(taskDir, log);
  } finally {
    await rm(SCRATCH, { recursive: true, force: true });
    await rm(taskDir, { recursive: true, force: true });
  }
}

async function bundleAndInit(taskDir: string, log: (line: string) => void): Promise<BundleFigures> {
  const deployed = await bundle(SUBMIT, join(SCRATCH, 'bundled'), []);
  // The deployed build runs from a directory with no node_modules anywhere above it, so an import the bundle
  // failed to include would fail here instead of quietly resolving from the repo.
  const deployedFile = join(taskDir, 'index.mjs');
  await copyFile(deployed.outfile, deployedFile);
  await copyFile(`${deployed.outfile}.map`, `${deployedFile}.map`);
  const external = await bundle(SUBMIT, join(SCRATCH, 'runtime-sdk'), ['@aws-sdk/*']);
  const externalSdkImports = [
    ...new Set(
      outputOf(external.metafile)
        .imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/'))
        .map((i) => i.path),
    ),
  ];
  const sdkBytesInDeployed = Object.entries(outputOf(deployed.metafile).inputs)
    .filter(([path]) => /node_modules\/(@aws-sdk|@smithy)\//.test(path))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  if (sdkBytesInDeployed === 0) throw new Error('The deployed build holds no AWS SDK code: the options drifted');

  const probeDeployed = (nodeOptions: string) => initOnce(deployedFile, taskDir, [], nodeOptions);
  const probeExternal = (nodeOptions: string) =>
    initOnce(external.outfile, PROJECT_ROOT, externalSdkImports, nodeOptions);
  // Warm the file-system cache for both; not counted. Then interleave, so drift on a shared machine hits both.
  await probeDeployed('');
  await probeExternal('');
  const runs = { deployed: [] as InitSample[], external: [] as InitSample[] };
  const mapped = { deployed: [] as number[], external: [] as number[] };
  for (let i = 0; i < INIT_RUNS; i++) {
    runs.deployed.push(await probeDeployed(''));
    runs.external.push(await probeExternal(''));
    mapped.deployed.push((await probeDeployed('--enable-source-maps')).total);
    mapped.external.push((await probeExternal('--enable-source-maps')).total);
  }
  const figuresOf = async (
    outfile: string,
    metafile: Metafile,
    samples: InitSample[],
    withMaps: number[],
  ): Promise<BuildFigures> => ({
    bundleKB: kB((await stat(outfile)).size),
    sourceMapKB: kB((await stat(`${outfile}.map`)).size),
    largestInputs: largestInputs(metafile),
    initMs: round(median(samples.map((s) => s.total)), 1),
    initRuns: samples.map((s) => round(s.total, 1)),
    initMsWithSourceMaps: round(median(withMaps), 1),
  });
  const bundled = await figuresOf(deployed.outfile, deployed.metafile, runs.deployed, mapped.deployed);
  const runtimeSdk = {
    ...(await figuresOf(external.outfile, external.metafile, runs.external, mapped.external)),
    sdkImportMs: round(median(runs.external.map((s) => s.sdk)), 1),
    ownInitMs: round(median(runs.external.map((s) => s.own)), 1),
    externalSdkImports,
  };

  const functionBundles: { name: string; kB: number }[] = [];
  for (const name of FUNCTION_NAMES) {
    const built = await bundle(name, join(SCRATCH, 'functions', name), []);
    functionBundles.push({ name, kB: kB((await stat(built.outfile)).size) });
  }
  functionBundles.sort((a, b) => b.kB - a.kB);

  const figures: BundleFigures = {
    target: esbuildTarget(),
    bundled,
    runtimeSdk,
    initRatio: round(bundled.initMs / runtimeSdk.initMs, 2),
    functionBundles,
  };
  log(
    `bundle: submit as deployed ${bundled.bundleKB} KB (+ ${bundled.sourceMapKB} KB map; ${kB(sdkBytesInDeployed)} KB of SDK); runtime-SDK build ${runtimeSdk.bundleKB} KB importing ${externalSdkImports.join(', ')}`,
  );
  log(`bundle: deployed build's largest parts ${bundled.largestInputs.map((p) => `${p.path} ${p.kB} KB`).join(', ')}`);
  log(
    `bundle: init ms deployed ${bundled.initRuns.join(', ')} (median ${bundled.initMs}); runtime SDK ${runtimeSdk.initRuns.join(', ')} (median ${runtimeSdk.initMs} = SDK ${runtimeSdk.sdkImportMs} + own ${runtimeSdk.ownInitMs}); with --enable-source-maps ${bundled.initMsWithSourceMaps} vs ${runtimeSdk.initMsWithSourceMaps}`,
  );
  log(`bundle: every function as deployed: ${functionBundles.map((f) => `${f.name} ${f.kB} KB`).join(', ')}`);
  return figures;
}
