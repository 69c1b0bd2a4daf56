import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { requireEnv } from '../config';

/**
 * What Dispatch measures, in one place: the functions emit these through Powertools Metrics (Embedded Metric
 * Format: one JSON line on stdout that Lambda's log pipeline turns into metrics, no SDK call on the hot path),
 * and the CDK dashboard and alarms read the same names, units and emitters from here.
 */

/** The CloudWatch namespace of every Dispatch metric; the function construct sets it for each function. */
export const METRICS_NAMESPACE = 'Dispatch';

export interface MetricDefinition {
  readonly unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  /**
   * The functions (catalog names, which are also their Powertools service names) that emit the metric. Every
   * metric carries a `service` dimension, so a figure is the sum over its emitters.
   */
  readonly emittedBy: readonly string[];
}

export const DISPATCH_METRICS = {
  /** A report created by POST /api/reports (an idempotent replay creates nothing and is not counted). */
  Submits: { unit: MetricUnit.Count, emittedBy: ['reports-api'] },
  /** From the oldest table write of a stream batch to its site files being written (see {@link publishLagMs}). */
  PublishLag: { unit: MetricUnit.Milliseconds, emittedBy: ['feed-publisher'] },
  /** An artifact or a free edition where the leak scan found subscriber-only text; each one pages the operator. */
  LeakBlocked: { unit: MetricUnit.Count, emittedBy: ['feed-publisher', 'digests-api', 'digest-planner', 'members'] },
  /** Digest recipients SES accepted a mail for. */
  RecipientsSent: { unit: MetricUnit.Count, emittedBy: ['mail-sender'] },
  /** Digest recipients whose mail failed for good (SES refused it, or their links could not be built). */
  RecipientsFailed: { unit: MetricUnit.Count, emittedBy: ['mail-sender'] },
  /** Addresses in a permanent bounce: the bounces SES counts in its bounce rate. */
  Bounces: { unit: MetricUnit.Count, emittedBy: ['ses-feedback'] },
  /** Addresses in a complaint. */
  Complaints: { unit: MetricUnit.Count, emittedBy: ['ses-feedback'] },
} as const satisfies Record<string, MetricDefinition>;

export type DispatchMetricName = keyof typeof DISPATCH_METRICS;

let metrics: Metrics | undefined;

/**
 * The function's one Metrics instance. On Lambda the namespace and service must come from the function's
 * environment (a missing one throws at cold start rather than publishing under a default nobody watches).
 * Elsewhere (the local stack, tests) there is no log pipeline to turn EMF lines into metrics, so output is off
 * unless `POWERTOOLS_METRICS_DISABLED` says otherwise: the lines would only flood the local stack's console.
 * Recording stays on, so names and units are still validated by Powertools in every test.
 */
export function dispatchMetrics(): Metrics {
  metrics ??= createMetrics();
  return metrics;
}

function createMetrics(): Metrics {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) {
    return new Metrics({
      namespace: requireEnv('POWERTOOLS_METRICS_NAMESPACE'),
      serviceName: requireEnv('POWERTOOLS_SERVICE_NAME'),
    });
  }
  // Powertools reads this switch from the environment only; it has no constructor option.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dispatch',
  });
}

/** Records one value of a Dispatch metric; the invocation wrapper (`observed`) publishes them at its end. */
export function emitMetric(name: DispatchMetricName, value = 1): void {
  dispatchMetrics().addMetric(name, DISPATCH_METRICS[name].unit, value);
}

/** Writes the invocation's metrics as one EMF line; nothing at all when none were recorded (no empty lines). */
export function publishMetrics(): void {
  const current = dispatchMetrics();
  if (current.hasStoredMetrics()) current.publishStoredMetrics();
}

/**
 * Milliseconds from the oldest write in a DynamoDB stream batch to `now`. Stream records carry their write time
 * in whole seconds, so the figure is up to a second high; undefined when no record has one.
 */
export function publishLagMs(writeTimesSeconds: readonly (number | undefined)[], now: number): number | undefined {
  const times = writeTimesSeconds.filter((time): time is number => time !== undefined);
  if (times.length === 0) return undefined;
  return Math.max(0, now - Math.min(...times) * 1000);
}
