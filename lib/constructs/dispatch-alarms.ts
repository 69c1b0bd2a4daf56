import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The custom metric the feed publisher emits (EMF, no dimensions) each time the leak scan blocks a write of
 * subscriber-only text to a public artifact.
 */
export const LEAK_BLOCKED_METRIC = { namespace: 'Dispatch/LeakScan', metricName: 'LeakBlocked' } as const;

export interface DispatchAlarmsProps {
  /** Dead-letter queues by a PascalCase name; any message in one needs an operator. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The function whose errors mean public feeds are stale. */
  readonly feedPublisher: IFunction;
}

/**
 * What pages the operator: a message in any dead-letter queue, feed publisher errors, and any blocked leak.
 * Every alarm notifies the `AlarmTopic`; subscribe an address or a chat integration to it after deploying.
 */
export class DispatchAlarms extends Construct {
  public readonly topic: Topic;
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: DispatchAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Dispatch alarms', enforceSSL: true });
    const action = new SnsAction(this.topic);

    const alarms: Alarm[] = Object.entries(props.deadLetterQueues).map(
      ([name, queue]) =>
        new Alarm(this, `${name}DepthAlarm`, {
          alarmDescription: `Messages in ${name}: work that failed after every retry. Inspect, fix, redrive.`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

    alarms.push(
      new Alarm(this, 'FeedPublisherErrorsAlarm', {
        alarmDescription: 'The feed publisher failed; public feeds and pages may be stale.',
        metric: props.feedPublisher.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'LeakBlockedAlarm', {
        alarmDescription:
          'The leak scan blocked subscriber-only text from a public artifact. The affected report is not published until an editor fixes it.',
        metric: new Metric({ ...LEAK_BLOCKED_METRIC, statistic: 'Sum', period: Duration.minutes(1) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const alarm of alarms) alarm.addAlarmAction(action);
    this.alarms = alarms;
  }
}
