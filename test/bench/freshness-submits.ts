import { loadavg } from 'node:os';
import { submitReport, type BenchStack, type ReportInput } from './local-stack';
import { percentile, round } from './stats';

/** What the idle and the load run of the freshness bench share: the submit, its counts, the timeout. */

/** A submit not fresh this long after its 201 counts as never fresh. */
export const FRESH_TIMEOUT_MS = 30_000;

export interface Submitted {
  /** 0: no HTTP answer at all (see `error`). */
  status: number;
  error?: string;
  answeredAt: number;
  id?: string;
  url?: string;
}

export interface PhaseCounts {
  submits: number;
  created: number;
  throttled: number;
  otherStatuses: Record<string, number>;
  /** 201s not fresh within FRESH_TIMEOUT_MS. */
  neverFresh: number;
  /** The machine's 1-minute load average when the run began and ended (the bench machine is shared). */
  loadAverage: [number, number];
}

export type Submit = () => Promise<Submitted>;

/** Each submit gets its own title (so its own slug) and alternates tiers, subscriber first. */
export function submitter(stack: BenchStack, report: ReportInput): Submit {
  let submits = 0;
  return async () => {
    const i = submits++;
    const input = {
      ...report,
      title: `${report.title} — fresh ${i} ${Math.random().toString(36).slice(2, 8)}`,
      tier: i % 2 === 0 ? 'subscriber' : 'complimentary',
    };
    const answer = await submitReport(stack, input);
    if (answer.status !== 201) return { status: answer.status, answeredAt: answer.answeredAt };
    const created = JSON.parse(answer.body) as { id: string; url: string };
    return { status: answer.status, answeredAt: answer.answeredAt, id: created.id, url: created.url };
  };
}

/** A percentile of latencies where Infinity marks a timeout: null when the percentile falls on one. */
export function latencyPercentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const value = percentile(values, p);
  return Number.isFinite(value) ? round(value) : null;
}

export function emptyCounts(): PhaseCounts {
  return { submits: 0, created: 0, throttled: 0, otherStatuses: {}, neverFresh: 0, loadAverage: [loadNow(), NaN] };
}

export const loadNow = (): number => round(loadavg()[0] ?? NaN, 1);

export function count(counts: PhaseCounts, submitted: Submitted): void {
  counts.submits++;
  if (submitted.status === 201) counts.created++;
  else if (submitted.status === 429) counts.throttled++;
  else {
    const key = submitted.error ?? String(submitted.status);
    counts.otherStatuses[key] = (counts.otherStatuses[key] ?? 0) + 1;
  }
}
