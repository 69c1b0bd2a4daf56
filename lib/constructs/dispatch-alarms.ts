import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bounceRate, complaintRate, dispatchFigure } from './dispatch-metrics';

/** SES puts an account under review at these rates (percent); the alarms fire when Dispatch reaches them. */
export const SES_REVIEW_RATES = { bounce: 5, complaint: 0.1 } as const;

export interface DispatchAlarmsProps {
  /** Dead-letter queues by a PascalCase name; any message in one needs an operator. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Every function by its catalog name (`feed-publisher`); each gets an errors and a throttles alarm. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * Functions whose Errors metric counts refusals by contract, not failures: the authorizer throws
   * `Unauthorized` to make API Gateway answer 401, so anyone with a bad token would page the operator. They keep
   * their throttles alarm.
   * @default - none
   */
  readonly errorsByContract?: readonly string[];
  /** The digest mail queue: its oldest message says whether the senders keep up. */
  readonly mailQueue: IQueue;
  /**
   * Oldest mail-queue message age that means the senders are stuck. An edition is enqueued at once and sent at
   * the publication's rate (100,000 recipients at 14 per second take two hours), so this sits well above that.
   * @default Duration.hours(6)
   */
  readonly mailQueueMaxAge?: Duration;
  /**
   * p99 publish lag (report write to site written) above which public pages are too stale.
   * @default Duration.minutes(2)
   */
  readonly publishLagMax?: Duration;
}

const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/**
 * What pages the operator: a message in any dead-letter queue, a function's errors or throttles, any blocked
 * leak, a slow site, a bounce or complaint rate at SES's review level and a mail queue that stopped draining.
 * Every alarm notifies the `AlarmTopic`; subscribe an address or a chat integration to it after deploying.
 */
export class DispatchAlarms extends Construct {
  public readonly topic: Topic;
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: DispatchAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Dispatch alarms', enforceSSL: true });
    const action = new SnsAction(this.topic);
    const alarms: Alarm[] = [];
    const alarm = (alarmId: string, description: string, metric: IMetric, rule: AlarmRule): void => {
      alarms.push(
        new Alarm(this, alarmId, {
          alarmDescription: description,
          metric,
          threshold: rule.threshold,
          comparisonOperator: rule.comparison,
          evaluationPeriods: rule.evaluationPeriods ?? 1,
          // Quiet periods emit nothing; no data is the healthy state for every figure here.
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    };
    const atLeast = (threshold: number): AlarmRule => ({
      threshold,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    const fiveMinutes = Duration.minutes(5);

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DepthAlarm`,
        `Messages in ${name}: work that failed after every retry. Inspect, fix, redrive.`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        { threshold: 0, comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
      );
    }

    const errorsByContract = new Set(props.errorsByContract ?? []);
    for (const [name, fn] of Object.entries(props.functions)) {
      if (!errorsByContract.has(name)) {
        alarm(
          `${pascalCase(name)}ErrorsAlarm`,
          `The ${name} function failed (an uncaught error or a timeout); see its log group and traces.`,
          fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
          atLeast(1),
        );
      }
      alarm(
        `${pascalCase(name)}ThrottlesAlarm`,
        `Lambda throttled the ${name} function: the account or its concurrency limit is reached.`,
        fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        atLeast(1),
      );
    }

    alarm(
      'LeakBlockedAlarm',
      'The leak scan blocked subscriber-only text from a public artifact or a free edition. The affected item is stubbed or withheld until an editor fixes the report.',
      dispatchFigure('LeakBlocked', { period: Duration.minutes(1) }),
      atLeast(1),
    );

    const publishLagMax = props.publishLagMax ?? Duration.minutes(2);
    alarm(
      'PublishLagAlarm',
      `Public feeds and pages trail the reports table: p99 publish lag above ${publishLagMax.toHumanString()} for 10 minutes.`,
      dispatchFigure('PublishLag', { period: fiveMinutes, statistic: 'p99' }),
      {
        threshold: publishLagMax.toMilliseconds(),
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
      },
    );

    alarm(
      'BounceRateAlarm',
      `Hard bounces reached ${SES_REVIEW_RATES.bounce} % of digest mails in an hour, the rate at which SES reviews the account. Check the list's source before the next edition.`,
      bounceRate(Duration.hours(1)),
      atLeast(SES_REVIEW_RATES.bounce),
    );
    alarm(
      'ComplaintRateAlarm',
      `Complaints reached ${SES_REVIEW_RATES.complaint} % of digest mails in an hour, the rate at which SES reviews the account.`,
      complaintRate(Duration.hours(1)),
      atLeast(SES_REVIEW_RATES.complaint),
    );

    const mailQueueMaxAge = props.mailQueueMaxAge ?? Duration.hours(6);
    alarm(
      'MailQueueAgeAlarm',
      `A digest mail message has waited over ${mailQueueMaxAge.toHumanString()}: the mail senders are not keeping up or not running.`,
      props.mailQueue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      { threshold: mailQueueMaxAge.toSeconds(), comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
    );

    for (const created of alarms) created.addAlarmAction(action);
    this.alarms = alarms;
  }
}

interface AlarmRule {
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  /** @default 1 */
  readonly evaluationPeriods?: number;
}
