import { fixtureReport, startBenchStack, submitReport } from './local-stack';
import { percentile, round } from './stats';

/**
 * p99 of POST /api/reports at a steady 20 requests/s for 30 s. The local stack runs as its own process
 * (`node --import tsx local/main.ts`, what `npm start` runs, on free ports with a temp data dir) so the load
 * generator does not share its event loop. Open loop: request i is sent at t0 + i/rate whatever the earlier
 * responses did, so a slow response cannot hide the queueing it causes.
 */
export interface SubmitLatencyFigures {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  sent: number;
  ok: number;
  failed: number;
  /** How late the generator itself fired requests (p99), to show the schedule held. */
  sendLagP99Ms: number;
  rate: number;
  seconds: number;
  /** Closed loop, one request at a time on the idle stack: the service time of one submit (median). */
  idleServiceMs: number;
}

const RATE = 20;
const SECONDS = Number(process.env.BENCH_SUBMIT_SECONDS ?? 30);
const WARMUP_SECONDS = 3;

/** Lets the stream deliveries the warm-up caused finish: waits until a cheap GET answers quickly twice in a row. */
async function waitIdle(api: string, token: string): Promise<void> {
  let quick = 0;
  const deadline = Date.now() + 60_000;
  while (quick < 2 && Date.now() < deadline) {
    const began = performance.now();
    await (await fetch(`${api}/api/reports?limit=1`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
    quick = performance.now() - began < 30 ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function measureSubmitLatency(log: (line: string) => void): Promise<SubmitLatencyFigures> {
  const stack = await startBenchStack();
  try {
    const report = await fixtureReport();
    const submit = async (i: number): Promise<number> => {
      const answer = await submitReport(stack, {
        ...report,
        title: `${report.title} — bench ${i} ${Math.random().toString(36).slice(2, 8)}`,
        tier: i % 2 === 0 ? 'subscriber' : 'complimentary',
      });
      return answer.status;
    };

    const runPhase = async (seconds: number, first: number) => {
      const count = seconds * RATE;
      const t0 = performance.now() + 50;
      const results: Promise<{ ms: number; status: number; lag: number }>[] = [];
      for (let i = 0; i < count; i++) {
        const due = t0 + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const sentAt = performance.now();
        results.push(
          submit(first + i).then(
            (status) => ({ ms: performance.now() - sentAt, status, lag: sentAt - due }),
            () => ({ ms: performance.now() - sentAt, status: 0, lag: sentAt - due }),
          ),
        );
      }
      return Promise.all(results);
    };

    // Cold start of the handlers (tsx transpiles them on first import) is not part of the steady state.
    await runPhase(WARMUP_SECONDS, 0);
    await waitIdle(stack.api, stack.token);
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) {
      const began = performance.now();
      await submit(100_000 + i);
      idle.push(performance.now() - began);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await waitIdle(stack.api, stack.token);
    const results = await runPhase(SECONDS, WARMUP_SECONDS * RATE);
    const ok = results.filter((r) => r.status === 201);
    if (ok.length === 0)
      throw new Error(`No submit succeeded (statuses ${[...new Set(results.map((r) => r.status))].join(', ')})`);
    const latencies = results.map((r) => r.ms);
    const figures: SubmitLatencyFigures = {
      p50Ms: round(percentile(latencies, 50), 1),
      p90Ms: round(percentile(latencies, 90), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      maxMs: round(Math.max(...latencies), 1),
      sent: results.length,
      ok: ok.length,
      failed: results.length - ok.length,
      sendLagP99Ms: round(
        percentile(
          results.map((r) => r.lag),
          99,
        ),
        1,
      ),
      rate: RATE,
      seconds: SECONDS,
      idleServiceMs: round(percentile(idle, 50), 1),
    };
    log(
      `submit: ${figures.sent} requests at ${RATE}/s (${figures.ok} × 201, ${figures.failed} other): p50 ${figures.p50Ms} ms, p90 ${figures.p90Ms}, p99 ${figures.p99Ms}, max ${figures.maxMs}; send lag p99 ${figures.sendLagP99Ms} ms`,
    );
    return figures;
  } finally {
    await stack.stop();
  }
}
