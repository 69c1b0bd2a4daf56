import { measureEditionPipeline } from './edition-pipeline';

/**
 * `npx tsx test/bench/edition-pipeline-main.ts`: the edition pipeline benchmark alone (issue 13, item 4). Progress
 * goes to stderr, the figures to stdout as one JSON object. BENCH_EDITION_READERS shrinks the run (default
 * 10,000); BENCH_EDITION_CPU_PROFILE=DIR writes V8 CPU profiles of the stack's threads; BENCH_EDITION_KEEP=1 keeps
 * the temp data dir (dynalite, journals, the probe's files).
 */
process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING ??= '1';
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const began = performance.now();
const figures = await measureEditionPipeline(log);
log(`edition: done in ${((performance.now() - began) / 1000).toFixed(0)} s`);
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
