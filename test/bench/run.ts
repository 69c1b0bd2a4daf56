import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measureBundle } from './bundle';
import type { CostFigures } from './cost';
import { measureDigest } from './digest';
import { measureFeedRegen } from './feed-regen';
import { measureSubmitLatency } from './submit-latency';
import { figuresJson, markdownTable, type Figure } from './table';

/**
 * `npm run bench [-- --out FILE]`: every figure of issue 6, measured in this run, printed as a Markdown table
 * (progress and evidence lines go to stderr) and optionally written as JSON with exactly the eight keys.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function outFile(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--out');
  if (index < 0) return undefined;
  const file = argv[index + 1];
  if (!file) throw new Error('--out needs a file name');
  return file;
}

/** The cost run gets a fresh process: the handlers' module-level clients and config must be its own. */
async function costInChild(): Promise<CostFigures> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'test/bench/cost-child.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 600_000,
    },
  );
  for (const line of stderr.split('\n')) if (line.startsWith('cost:')) log(line);
  return JSON.parse(stdout) as CostFigures;
}

async function main(): Promise<void> {
  const out = outFile(process.argv.slice(2));
  process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING ??= '1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const began = performance.now();
  const header = [
    `# Dispatch benchmark`,
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory (${(freemem() / 2 ** 30).toFixed(1)} free), Node ${process.version}, ${process.platform}/${process.arch}`,
  ];

  log('bench: bundling the submit Lambda and timing its init…');
  const bundle = await measureBundle(log);
  log('bench: digest rendering…');
  const digest = await measureDigest(log);
  log('bench: feed regeneration with 100 and 100,000 stored reports…');
  const feeds = await measureFeedRegen(log);
  log('bench: submit latency against the local stack…');
  const submit = await measureSubmitLatency(log);
  log('bench: AWS cost of an edition…');
  const cost = await costInChild();

  const figures: Figure[] = [
    {
      key: 'digestMessagesPerSecondPerCore',
      value: digest.messagesPerSecond,
      goal: { op: '>=', target: 50_000 },
      how: `personalise() on parsed CompiledEditions (free/paid alternating, ${(digest.htmlBytes / 1024).toFixed(0)} KB HTML + ${(digest.textBytes / 1024).toFixed(1)} KB text + 2 headers), strings flattened; median of 7 × 40,000 on one thread. Unflattened: ${digest.ropeMessagesPerSecond.toLocaleString('en-US')}/s; UTF-8-encoded as the SDK will: ${digest.encodedMessagesPerSecond.toLocaleString('en-US')}/s (encoding alone: ${digest.encodeOnlyPerSecond.toLocaleString('en-US')}/s)`,
    },
    {
      key: 'mjmlCompilesPerEdition',
      value: digest.compilesPerEdition,
      goal: { op: '<=', target: 2 },
      how: `mjmlCompileCount() across compileEdition(free) + compileEdition(paid) + personalise × ${digest.editionRecipients.toLocaleString('en-US')} (5,000 per tier)${cost.compilesDuringEdition !== undefined ? `; planner run: ${cost.compilesDuringEdition}` : '; planner not yet built'}`,
    },
    {
      key: 'speedupVsPerRecipientMjml',
      value: digest.speedup,
      goal: { op: '>=', target: 500 },
      how: `ours (flat, above) ÷ compileEdition + personalise per recipient (${digest.naiveMessagesPerSecond} msg/s, median of 7 × 5 = ${digest.naiveSample} recipients, interleaved with ours, scaled per message); outputs identical: ${digest.sameOutput}`,
    },
    {
      key: 'feedRegenRatio100kVs100',
      value: feeds.ratio,
      goal: { op: '<=', target: 1.1 },
      how: `SitePublisher.publish of one new submit's plan (${feeds.writesPerRegen} objects) on dynalite (on disk) + s3rver: median ${feeds.largeMs} ms with ${feeds.seeded.large.toLocaleString('en-US')} reports ÷ ${feeds.smallMs} ms with ${feeds.seeded.small}, 7 alternating runs each; seeding took ${feeds.seedSeconds.large} s / ${feeds.seedSeconds.small} s (BatchWrite, ReportsStore layout)`,
    },
    {
      key: 'submitBundleKB',
      value: bundle.bundleKB,
      goal: { op: '<=', target: 250, unit: 'KB' },
      how: `esbuild with DispatchFunction's options (ESM, minify, ${bundle.target}, banner, @aws-sdk/* external): index.mjs without its ${bundle.sourceMapKB} KB map; AWS SDK in bundle: ${bundle.sdkBytesInBundle === 0 ? 'no' : `${bundle.sdkBytesInBundle} bytes`} (external: ${bundle.externalSdkImports.join(', ')}); largest: ${bundle.largestInputs
        .slice(0, 4)
        .map((p) => `${p.path} ${p.kB} KB`)
        .join(', ')}`,
    },
    {
      key: 'submitInitMs',
      value: bundle.initMs,
      goal: { op: '<=', target: 50, unit: 'ms' },
      how: `import() of the bundle in a fresh node (cwd repo, SDK from node_modules), median of 7: SDK packages ${bundle.sdkImportMs} ms + bundle's own code ${bundle.ownInitMs} ms; with --enable-source-maps (as deployed) ${bundle.initMsWithSourceMaps} ms`,
    },
    {
      key: 'costRatioVsSesFloor',
      value: cost.ratio,
      goal: { op: '<=', target: 1.05 },
      how:
        cost.ratio === null
          ? `planner + sender not built yet; prices in test/bench/prices.json (${cost.priceDate})`
          : `${cost.recipients} recipients on the local stack, SDK middleware counts, scaled to 100,000, priced per test/bench/prices.json (${cost.priceDate}): $${cost.totalUsd} ÷ $${cost.sesFloorUsd}`,
      ...(cost.note ? { note: cost.note } : {}),
    },
    {
      key: 'submitP99Ms',
      value: submit.p99Ms,
      goal: { op: '<=', target: 50, unit: 'ms' },
      how: `open loop ${submit.rate}/s for ${submit.seconds} s (${submit.sent} POSTs, ${submit.ok} × 201) against \`npm start\` in a child process; p50 ${submit.p50Ms} ms, p90 ${submit.p90Ms} ms; one submit on the idle stack ${submit.idleServiceMs} ms`,
    },
  ];

  const seconds = (performance.now() - began) / 1000;
  process.stdout.write(
    `${[...header, `- wall time: ${seconds.toFixed(0)} s`, ''].join('\n')}\n${markdownTable(figures)}\n`,
  );
  if (cost.callsPerRecipient) {
    process.stdout.write(
      `\nAWS calls per recipient: ${Object.entries(cost.callsPerRecipient)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n`,
    );
  } else {
    process.stdout.write('\nAWS calls per recipient: n/a (digest pipeline not yet built)\n');
  }
  if (out) {
    await writeFile(out, JSON.stringify(figuresJson(figures), null, 2) + '\n');
    log(`bench: wrote ${out}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
