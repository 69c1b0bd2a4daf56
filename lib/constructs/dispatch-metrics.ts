import type { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { DISPATCH_METRICS, type DispatchMetricName, METRICS_NAMESPACE } from '../../lambdas/adapters/metrics';

/**
 * CloudWatch views of the figures the functions emit (`lambdas/adapters/metrics.ts`), shared by the dashboard
 * and the alarms so both read exactly the same series.
 */

export interface FigureOptions {
  readonly period: Duration;
  /** @default 'Sum' */
  readonly statistic?: string;
  /** @default - the metric name */
  readonly label?: string;
}

/**
 * One Dispatch metric across every function that emits it. Powertools gives each metric a `service` dimension
 * (the function), so a figure with several emitters is their sum, each gap filled with 0: CloudWatch drops a
 * timestamp from `a + b` when either side has no value there.
 */
export function dispatchFigure(name: DispatchMetricName, options: FigureOptions): IMetric {
  const statistic = options.statistic ?? 'Sum';
  const label = options.label ?? name;
  const perService = DISPATCH_METRICS[name].emittedBy.map(
    (service) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service },
        statistic,
        period: options.period,
        label,
      }),
  );
  const [only] = perService;
  if (only !== undefined && perService.length === 1) return only;
  if (statistic !== 'Sum') {
    throw new Error(`${name} has ${perService.length} emitters; only its Sum can be combined, not ${statistic}`);
  }
  return new MathExpression({
    expression: perService.map((_, index) => `FILL(m${index}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(perService.map((metric, index) => [`m${index}`, metric])),
    period: options.period,
    label,
  });
}

/**
 * Hard bounces as a percentage of digest recipients sent in the same period, the figure SES reviews an account
 * on. Confirmation mails are not in the denominator, so the rate reads slightly high: the safe side.
 */
export function bounceRate(period: Duration): MathExpression {
  return feedbackRate('Bounces', period, 'Bounce rate (%)');
}

/** Complaints as a percentage of digest recipients sent in the same period. */
export function complaintRate(period: Duration): MathExpression {
  return feedbackRate('Complaints', period, 'Complaint rate (%)');
}

function feedbackRate(feedback: 'Bounces' | 'Complaints', period: Duration, label: string): MathExpression {
  // Its own id per kind: a graph showing both rates may not give two different metrics the same id.
  const id = feedback.toLowerCase();
  return new MathExpression({
    // No sends in the period: no value (not a division by zero), and the alarms treat missing data as fine.
    expression: `100 * FILL(${id}, 0) / sent`,
    usingMetrics: {
      [id]: dispatchFigure(feedback, { period }),
      sent: dispatchFigure('RecipientsSent', { period }),
    },
    period,
    label,
  });
}

/** Digest mails SES accepted, per second on average over each period. */
export function sendsPerSecond(period: Duration): MathExpression {
  return new MathExpression({
    expression: 'sent / PERIOD(sent)',
    usingMetrics: { sent: dispatchFigure('RecipientsSent', { period }) },
    period,
    label: 'Sends per second',
  });
}
