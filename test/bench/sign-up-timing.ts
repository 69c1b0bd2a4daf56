import { performance } from 'node:perf_hooks';
import { startTempStack } from '../integration/harness';

/**
 * `npx tsx test/bench/sign-up-timing.ts timing [n]`: median latency of POST /api/subscribers for new addresses
 * and for addresses already active (the account-probing oracle of issue 11), per-client limits off.
 * `npx tsx test/bench/sign-up-timing.ts burst`: 150 parallel sign-ups from one client, limits on.
 * One mode per process: handlers read their environment once, at cold start, like Lambdas.
 * Runs the stack as `npm start` does (consumers in a worker thread).
 */
const mode = process.argv[2] ?? 'timing';
const n = Number(process.argv[3] ?? 200);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function run(clientRateLimits: boolean) {
  // As `npm start` runs it: consumers in a worker thread, AWS-like retry delay and stream batching window.
  const { stack, close } = await startTempStack({
    retryDelayMs: 1000,
    isolateConsumers: true,
    streamBatchWindowMs: 1000,
    clientRateLimits,
  });
  const signUp = async (email: string): Promise<{ ms: number; status: number }> => {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}/api/subscribers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    await response.arrayBuffer();
    return { ms: performance.now() - started, status: response.status };
  };
  return {
    stack,
    signUp,
    close,
  };
}

if (mode === 'timing') {
  const timing = await run(false);
  for (let i = 0; i < n; i += 1) {
    const response = await fetch(`${timing.stack.apiUrl}/api/subscribers/known${i}%40bench.test`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${timing.stack.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tier: 'free', status: 'active' }),
    });
    await response.arrayBuffer();
  }
  for (let i = 0; i < 20; i += 1) await timing.signUp(`warmup${i}@bench.test`);
  const fresh: number[] = [];
  const known: number[] = [];
  // Interleaved, so drift in the machine's load affects both alike.
  for (let i = 0; i < n; i += 1) {
    fresh.push((await timing.signUp(`new${i}@bench.test`)).ms);
    known.push((await timing.signUp(`known${i}@bench.test`)).ms);
  }
  await timing.stack.drain(120_000);
  await timing.close();
  console.log(
    `sign-up median, ${n} each: new ${median(fresh).toFixed(2)} ms, known active ${median(known).toFixed(2)} ms`,
  );
} else {
  const burst = await run(true);
  await burst.signUp('warmup@bench.test');
  const parallel = await Promise.all(Array.from({ length: 150 }, (_, i) => burst.signUp(`burst${i}@bench.test`)));
  await burst.stack.drain(120_000);
  await burst.close();
  const count = (status: number) => parallel.filter((result) => result.status === status).length;
  console.log(
    `150 parallel from one client: median ${median(parallel.map((r) => r.ms)).toFixed(1)} ms, ` +
      `max ${Math.max(...parallel.map((r) => r.ms)).toFixed(1)} ms; ${count(202)} × 202, ${count(429)} × 429`,
  );
}
