import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measureBundle } from './bundle';
import type { CostFigures } from './cost';
import { measureDigest } from './digest';
import { measureEditionPipeline } from './edition-pipeline';
import { measureEditionSize } from './edition-size';
import { measureFeedRegen } from './feed-regen';
import { measureFreshness } from './freshness';
import { figuresJson, markdownTable, type Figure } from './table';

/**
 * `npm run bench [-- --out FILE]`: every figure of issue 13, measured in this run, printed as a Markdown table
 * (progress and evidence lines go to stderr) and optionally written as JSON with exactly the issue's keys.
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

/** Load average when each part started: the machine is shared, and a figure is read against its load. */
const loads: string[] = [];
function part(name: string): void {
  loads.push(`${name} ${loadavg()[0]?.toFixed(1) ?? '?'}`);
  log(`bench: ${name}…`);
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

  part('bundles (the submit Lambda both ways, every function as deployed)');
  const bundle = await measureBundle(log);
  part('digest rendering');
  const digest = await measureDigest(log);
  part('edition size (30 long reports)');
  const size = await measureEditionSize(log);
  part('feed regeneration with 100 and 100,000 stored reports');
  const feeds = await measureFeedRegen(log);
  part('freshness and dangling links against the local stack');
  const fresh = await measureFreshness(log);
  part('edition pipeline at 200/s');
  const edition = await measureEditionPipeline(log);
  part('AWS cost of an edition');
  const cost = await costInChild();

  const largest = bundle.functionBundles[0];
  const percentileOrNote = (value: number | null, timeoutMs: number) =>
    value === null ? { value: null, note: `> ${timeoutMs} ms (a submit not fresh within the timeout)` } : { value };
  const figures: Figure[] = [
    {
      key: 'submitInitMs',
      value: bundle.bundled.initMs,
      how: `the submit Lambda (reports-api) as deployed — AWS SDK bundled, minified, ${bundle.bundled.bundleKB} KB — imported in a fresh node from a temp dir holding nothing but the bundle; median of 7 interleaved with the runtime-SDK build; with --enable-source-maps ${bundle.bundled.initMsWithSourceMaps} ms`,
    },
    {
      key: 'submitInitMsRuntimeSdk',
      value: bundle.runtimeSdk.initMs,
      how: `the same handler with @aws-sdk/* external (${bundle.runtimeSdk.bundleKB} KB), SDK from node_modules as /var/runtime would give it: ${bundle.runtimeSdk.sdkImportMs} ms loading ${bundle.runtimeSdk.externalSdkImports.length} SDK packages + ${bundle.runtimeSdk.ownInitMs} ms own code; with source maps ${bundle.runtimeSdk.initMsWithSourceMaps} ms`,
    },
    {
      key: 'submitInitRatio',
      value: bundle.initRatio,
      goal: { op: '<=', target: 0.4 },
      how: `submitInitMs ÷ submitInitMsRuntimeSdk, medians of the same interleaved runs`,
    },
    {
      key: 'largestBundleKB',
      value: largest?.kB ?? null,
      how: `every function built with DispatchFunction's esbuild options: ${bundle.functionBundles
        .slice(0, 4)
        .map((f) => `${f.name} ${f.kB}`)
        .join(
          ', ',
        )} … ${bundle.functionBundles.at(-1)?.name} ${bundle.functionBundles.at(-1)?.kB} KB (mjml only in the two digest functions)`,
    },
    {
      key: 'freshnessP95Ms',
      ...percentileOrNote(fresh.freshnessP95Ms, 30_000),
      goal: { op: '<=', target: 2000, unit: 'ms' },
      how: `201 of POST /api/reports → item in /feeds/rss.xml AND /reports/{slug}/ 200 through the local gateway, ${fresh.idle.created} idle submits one at a time, 100 reports seeded; p50 ${fresh.freshnessP50Ms} ms (page up p50 ${fresh.idle.pageReadyP50Ms} ms, publish after the ${fresh.streamBatchWindowMs} ms stream window p50 ${fresh.idle.publishAfterWindowP50Ms} ms)`,
    },
    {
      key: 'freshnessP95MsUnderLoad',
      ...percentileOrNote(fresh.freshnessP95MsUnderLoad, 30_000),
      goal: { op: '<=', target: 5000, unit: 'ms' },
      how: `the same, open loop ${fresh.load.rate} submits/s for ${fresh.load.seconds} s (${fresh.load.created} × 201, ${fresh.load.throttled} throttled, ${fresh.load.neverFresh} not fresh within 30 s); p50 ${fresh.freshnessP50MsUnderLoad} ms, max ${fresh.freshnessMaxMsUnderLoad} ms; publisher batches p50 ${fresh.load.batches.recordsP50} records`,
    },
    {
      key: 'danglingLinks',
      value: fresh.danglingLinks,
      goal: { op: '=', target: 0 },
      how: `during the load run a reader polled rss.xml, atom.xml and feed.json (${Object.values(fresh.feedPolls).reduce((sum, polls) => sum + polls, 0)} polls) and followed each new link at once: ${fresh.linksChecked} links checked, any answer but 200 counted`,
    },
    {
      key: 'feedRegenReadsRatio100kVs100',
      value: feeds.readsRatio,
      goal: { op: '=', target: 1 },
      how: `one submit's SitePublisher.publish, counted by SDK middleware: ${feeds.work.large.itemsRead} DynamoDB items read with 100,000 reports vs ${feeds.work.small.itemsRead} with 100; requests ${feeds.work.large.dynamoRequests} + ${feeds.work.large.s3Requests} vs ${feeds.work.small.dynamoRequests} + ${feeds.work.small.s3Requests} (ratio ${feeds.requestsRatio}); S3 objects written ${feeds.work.large.objectsWritten} vs ${feeds.work.small.objectsWritten} (ratio ${feeds.objectsWrittenRatio})`,
    },
    {
      key: 'feedRegenRatio100kVs100',
      value: feeds.ratio,
      how: `time, for information: median ${feeds.largeMs} ms with ${feeds.seeded.large.toLocaleString('en-US')} reports ÷ ${feeds.smallMs} ms with ${feeds.seeded.small} (7 alternating runs on dynalite on disk + s3rver); DynamoDB busy ${feeds.breakdown.large.tableMs} vs ${feeds.breakdown.small.tableMs} ms, S3 busy ${feeds.breakdown.large.siteMs} vs ${feeds.breakdown.small.siteMs} ms`,
    },
    {
      key: 'editionRecipientsPerSecond',
      value: edition.editionRecipientsPerSecond,
      how: `${edition.readers.toLocaleString('en-US')} readers, send rate ${edition.sendRatePerSecond}/s, POST /api/digests → last mail accepted by the SES emulator (\`npm start\` in a child process): first mail at ${(edition.timeline.firstMail / 1000).toFixed(1)} s, last at ${(edition.timeline.lastMail / 1000).toFixed(1)} s; send phase ${edition.sendPhase.recipientsPerSecond}/s; stack CPU ${edition.cpuMsPerMail.total} ms per mail on ${edition.cores.available} cores (stack ${edition.cores.stack}, other ${edition.cores.other} busy); delivered exactly once: ${edition.verification.sesInboxRecipients.toLocaleString('en-US')} distinct recipients, ${edition.verification.counters.unknown} unknown`,
    },
    {
      key: 'editionRateRatio',
      value: edition.editionRateRatio,
      goal: { op: '>=', target: 0.9 },
      how: `editionRecipientsPerSecond ÷ ${edition.sendRatePerSecond}`,
    },
    {
      key: 'maxEditionHtmlKB',
      value: size.maxHtmlKB,
      goal: { op: '<=', target: 90, unit: 'KB' },
      how: `${size.reports} reports of ~${size.reportHtmlKB} KB HTML (half subscriber-only), compiled per tier with the clip rule and personalised with ~200-character links: free ${size.htmlKB.free} KB (${size.shortened.free} reports shortened; report bodies ${size.bodiesKB.free} KB), paid ${size.htmlKB.paid} KB (${size.shortened.paid} shortened; bodies ${size.bodiesKB.paid} KB); text parts ${size.textKB.free} / ${size.textKB.paid} KB`,
    },
    {
      key: 'digestMessagesPerSecondPerCore',
      value: digest.messagesPerSecond,
      goal: { op: '>=', target: 50_000 },
      how: `personalise() on parsed CompiledEditions (free/paid alternating, ${(digest.htmlBytes / 1024).toFixed(0)} KB HTML + ${(digest.textBytes / 1024).toFixed(1)} KB text + 2 headers), strings flattened; median of 7 × 40,000 on one thread. UTF-8-encoded as the SDK will: ${digest.encodedMessagesPerSecond.toLocaleString('en-US')}/s`,
    },
    {
      key: 'mjmlCompilesPerEdition',
      value: digest.compilesPerEdition,
      goal: { op: '<=', target: 2 },
      how: `mjmlCompileCount() across compileEdition(free) + compileEdition(paid) + personalise × ${digest.editionRecipients.toLocaleString('en-US')}${cost.compilesDuringEdition !== undefined ? `; planner run: ${cost.compilesDuringEdition}` : ''}`,
    },
    {
      key: 'speedupVsPerRecipientMjml',
      value: digest.speedup,
      goal: { op: '>=', target: 500 },
      how: `ours ÷ compileEdition + personalise per recipient (${digest.naiveMessagesPerSecond} msg/s, interleaved); outputs identical: ${digest.sameOutput}`,
    },
    {
      key: 'costRatioVsSesFloor',
      value: cost.ratio,
      goal: { op: '<=', target: 1.03 },
      how:
        cost.ratio === null
          ? `not measured; prices in test/bench/prices.json (${cost.priceDate})`
          : `${cost.recipients} recipients on the local stack, SDK middleware counts, scaled to 100,000, priced per test/bench/prices.json (${cost.priceDate}): $${cost.totalUsd} ÷ $${cost.sesFloorUsd}`,
      ...(cost.note ? { note: cost.note } : {}),
    },
  ];

  const seconds = (performance.now() - began) / 1000;
  process.stdout.write(
    `${[...header, `- wall time: ${seconds.toFixed(0)} s`, `- load average at each part: ${loads.join(', ')}`, ''].join('\n')}\n${markdownTable(figures)}\n`,
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
