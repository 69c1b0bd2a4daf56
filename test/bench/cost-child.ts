import { measureCost } from './cost';

/** `tsx test/bench/cost-child.ts`: the cost run in a fresh process; log lines on stderr, the figures as JSON on stdout. */
const figures = await measureCost((line) => process.stderr.write(`${line}\n`));
process.stdout.write(JSON.stringify(figures));
process.exit(0);
