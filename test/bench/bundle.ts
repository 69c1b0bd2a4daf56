import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import {
  DISPATCH_RUNTIME,
  ESM_REQUIRE_BANNER,
  HANDLERS_DIR,
  PROJECT_ROOT,
} from '../../lib/constructs/dispatch-function';
import { median, round } from './stats';

const run = promisify(execFile);

/**
 * The submit-report Lambda bundled as lib/constructs/dispatch-function.ts has CDK bundle it (same esbuild
 * options), then imported in fresh Node processes to time module initialisation.
 */
export interface BundleFigures {
  bundleKB: number;
  sourceMapKB: number;
  target: string;
  /** Bytes of bundle output that came from @aws-sdk/* or @smithy/* sources (0: the runtime provides the SDK). */
  sdkBytesInBundle: number;
  externalSdkImports: string[];
  largestInputs: { path: string; kB: number }[];
  /** Fresh process, import() of the bundle: the runtime-provided SDK packages it imports plus the bundle's own code. */
  initMs: number;
  initRuns: number[];
  /** Of initMs: loading the external @aws-sdk packages (node_modules here, /var/runtime on Lambda). */
  sdkImportMs: number;
  /** Of initMs: evaluating the bundle itself once the SDK is loaded. */
  ownInitMs: number;
  /** With NODE_OPTIONS=--enable-source-maps, as the function construct configures the Lambda. */
  initMsWithSourceMaps: number;
  initRunsWithSourceMaps: number[];
}

const HANDLER = 'reports-api';
/** Under the repo so the bundle's external @aws-sdk imports resolve from node_modules; removed afterwards. */
const SCRATCH = join(PROJECT_ROOT, 'test', 'bench', '.out');
const OUT_DIR = join(SCRATCH, HANDLER);
const INIT_RUNS = 7;

/** NodejsFunction's target for the construct's runtime: nodejs24.x → node24. */
const esbuildTarget = (): string => DISPATCH_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

async function bundle(
  dir: string,
  plugins: Plugin[] = [],
): Promise<{ outfile: string; metafile: Metafile; target: string }> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  const target = esbuildTarget();
  // The options NodejsFunction passes for DispatchFunction's `bundling` block.
  const result = await build({
    entryPoints: [join(HANDLERS_DIR, `${HANDLER}.ts`)],
    bundle: true,
    platform: 'node',
    target,
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: ['@aws-sdk/*'],
    outfile,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
    plugins,
  });
  return { outfile, metafile: result.metafile, target };
}

interface InitSample {
  total: number;
  sdk: number;
  own: number;
}

/**
 * One fresh process (cwd = repo root, so the external @aws-sdk packages resolve from node_modules): the SDK
 * packages the bundle imports are loaded first, then the bundle; total = both, i.e. what `import()` of the
 * bundle alone costs in a fresh process.
 */
async function initOnce(outfile: string, sdkImports: string[], nodeOptions: string): Promise<InitSample> {
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
    cwd: PROJECT_ROOT,
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
      DISPATCH_PUBLICATION: publication,
      TABLE_REPORTS: 'bench-reports',
      TABLE_IDEMPOTENCY: 'bench-idempotency',
      VAULT_BUCKET: 'bench-vault',
    },
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

export async function measureBundle(log: (line: string) => void): Promise<BundleFigures> {
  try {
    return await bundleAndInit(log);
  } finally {
    await rm(SCRATCH, { recursive: true, force: true });
  }
}

async function bundleAndInit(log: (line: string) => void): Promise<BundleFigures> {
  const { outfile, metafile, target } = await bundle(OUT_DIR);
  const output = outputOf(metafile);
  const inputs = Object.entries(output.inputs);
  const sdkBytesInBundle = inputs
    .filter(([path]) => /node_modules\/(@aws-sdk|@smithy)\//.test(path))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  const externalSdkImports = [
    ...new Set(output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path)),
  ];
  const byPackage = new Map<string, number>();
  for (const [path, input] of inputs) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'dispatch (lambdas/, templates/)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  const largestInputs = [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([path, bytes]) => ({ path, kB: round(bytes / 1024, 1) }));

  await initOnce(outfile, externalSdkImports, ''); // warm the file-system cache; not counted
  const samples: InitSample[] = [];
  const withMaps: InitSample[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    samples.push(await initOnce(outfile, externalSdkImports, ''));
    withMaps.push(await initOnce(outfile, externalSdkImports, '--enable-source-maps'));
  }
  const initRuns = samples.map((s) => s.total);
  const initRunsWithSourceMaps = withMaps.map((s) => s.total);
  const figures: BundleFigures = {
    bundleKB: kB((await stat(outfile)).size),
    sourceMapKB: kB((await stat(`${outfile}.map`)).size),
    target,
    sdkBytesInBundle,
    externalSdkImports,
    largestInputs,
    initMs: round(median(initRuns), 1),
    initRuns: initRuns.map((v) => round(v, 1)),
    sdkImportMs: round(median(samples.map((s) => s.sdk)), 1),
    ownInitMs: round(median(samples.map((s) => s.own)), 1),
    initMsWithSourceMaps: round(median(initRunsWithSourceMaps), 1),
    initRunsWithSourceMaps: initRunsWithSourceMaps.map((v) => round(v, 1)),
  };
  log(
    `bundle: ${figures.bundleKB} KB (+ ${figures.sourceMapKB} KB map), target ${target}; SDK bytes bundled ${sdkBytesInBundle}; external ${externalSdkImports.join(', ')}`,
  );
  log(`bundle: largest parts ${largestInputs.map((p) => `${p.path} ${p.kB} KB`).join(', ')}`);
  log(
    `bundle: init ms ${figures.initRuns.join(', ')} (median ${figures.initMs}: SDK packages ${figures.sdkImportMs} + bundle's own ${figures.ownInitMs}); with --enable-source-maps ${figures.initRunsWithSourceMaps.join(', ')}`,
  );
  return figures;
}
