import { measureFreshness } from './freshness';

/**
 * `npx tsx test/bench/freshness-main.ts`: the freshness and dangling-link figures alone, as one JSON object on
 * stdout (progress on stderr). BENCH_FRESHNESS_SECONDS shortens the load run (default 30),
 * BENCH_FRESHNESS_IDLE_SUBMITS the idle one (default 20); BENCH_FRESHNESS_SEED reports are published first
 * (default 100, so feeds and archive are full length); BENCH_FRESHNESS_RATE changes the load (default 20/s). BENCH_STACK_CPU_PROFILE=dir profiles the stack.
 */
process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING ??= '1';
const figures = await measureFreshness((line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
