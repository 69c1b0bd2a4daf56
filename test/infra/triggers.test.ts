import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { mailQueue, planQueue, signUpQueue } from '../../lambdas/adapters/data-model';
import { mailSenderConcurrency } from '../../lambdas/app-model';
import { buildApp } from '../../lib/build-app';
import { cdkJsonContext, INLINE_CODE, synthDispatch } from './dispatch-app';

const ref = (prefix: string): object => ({ Ref: Match.stringLikeRegexp(`^${prefix}[0-9A-F]{8}$`) });
const imported = (pattern: string): object => ({ 'Fn::ImportValue': Match.stringLikeRegexp(pattern) });

describe('triggers', () => {
  let template: Template;
  beforeAll(() => {
    template = synthDispatch().statelessTemplate;
  });

  it.each(['FeedPublisherFunction', 'PrivateFeedBuilderFunction'])(
    '%s consumes the reports stream with partial batch failures and an on-failure queue',
    (fn) => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: ref(fn),
        EventSourceArn: imported('ReportsTable.*StreamArn'),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        MaximumRetryAttempts: 10,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: imported('FailedEventsQueue') } },
        // Report items only, matched on Keys so deletes get through too.
        FilterCriteria: {
          Filters: [
            {
              Pattern: JSON.stringify({
                dynamodb: { Keys: { pk: { S: [{ prefix: 'REPORT#' }] }, sk: { S: ['REPORT'] } } },
              }),
            },
          ],
        },
      });
    },
  );

  it('feeds the plan queue to the digest planner one edition at a time', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref('DigestPlannerFunction'),
      EventSourceArn: imported('PlanQueue'),
      BatchSize: planQueue.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('feeds the sign-up queue to the sign-up worker, two at most, with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref('SignUpWorkerFunction'),
      EventSourceArn: imported('SignUpQueue'),
      BatchSize: signUpQueue.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('caps mail-sender concurrency from the publication send rate', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref('MailSenderFunction'),
      EventSourceArn: imported('MailQueue'),
      BatchSize: mailQueue.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: mailSenderConcurrency(14) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAIL_SENDER_MAX_CONCURRENCY: String(mailSenderConcurrency(14)) }) },
    });
  });

  it('derives mail-sender concurrency within the SQS event source bounds', () => {
    expect(mailSenderConcurrency(1)).toBe(2);
    expect(mailSenderConcurrency(14)).toBe(2);
    expect(mailSenderConcurrency(50)).toBe(5);
    expect(mailSenderConcurrency(1_000_000)).toBe(1000);
  });

  it('sends {"trigger":"schedule"} and the scheduled time to the plan queue on the publication cron, in its time zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/London',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: imported('PlanQueue'),
        // The planner refuses a schedule message without the time that ends the edition's window.
        Input: JSON.stringify({ trigger: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DigestScheduleRole'), 'Arn'] },
        DeadLetterConfig: { Arn: imported('FailedEventsQueue') },
      }),
    });
  });

  it('refuses an unknown digest time zone at synth time', () => {
    const context = cdkJsonContext();
    const publication = context.dispatch as { digest: Record<string, string> };
    const dispatch = { ...publication, digest: { ...publication.digest, timeZone: 'Mars/Olympus_Mons' } };
    expect(() => buildApp({ context: { ...context, dispatch }, codeOverride: INLINE_CODE })).toThrow(/time zone/);
  });

  it('runs the release sweeper every minute', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReleaseSweeperFunction'), 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    });
  });

  it('ends past-due grace periods every 15 minutes, without retries', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BillingSweeperFunction'), 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 900 },
      }),
    });
  });

  describe('SES', () => {
    it('verifies the sender domain with Easy DKIM and uses the configuration set by default', () => {
      template.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: 'reports.example.org',
        DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
        ConfigurationSetAttributes: { ConfigurationSetName: ref('MailConfigurationSet') },
      });
    });

    it('suppresses bounced and complaining addresses', () => {
      template.hasResourceProperties('AWS::SES::ConfigurationSet', {
        SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
        ReputationOptions: { ReputationMetricsEnabled: true },
      });
    });

    it('forwards bounces and complaints (not deliveries, which nothing acts on) to SNS, and SNS to ses-feedback', () => {
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: ref('MailConfigurationSet'),
        EventDestination: {
          Enabled: true,
          // Exactly these: a delivery event per mail would bill an SNS publish and a Lambda run per recipient.
          MatchingEventTypes: ['bounce', 'complaint'],
          SnsDestination: { TopicARN: ref('MailFeedbackTopic') },
        },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: ref('MailFeedbackTopic'),
        Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesFeedbackFunction'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [ref('MailFeedbackTopic')],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish' }),
          ]),
        },
      });
    });
  });

  describe('alarms', () => {
    it.each([
      ['PlanQueueDeadLetter', 'PlanQueueDeadLetterQueue'],
      ['MailQueueDeadLetter', 'MailQueueDeadLetterQueue'],
      ['SignUpQueueDeadLetter', 'SignUpQueueDeadLetterQueue'],
      ['FailedEvents', 'FailedEventsQueue'],
    ])('%s depth > 0 pages the operator', (name, queue) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp(name),
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: imported(queue) }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [ref('AlarmsAlarmTopic')],
      });
    });

    it('alarms on feed publisher errors', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref('FeedPublisherFunction') }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    it('alarms on any blocked leak, from every function that scans', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith(
          ['feed-publisher', 'digests-api', 'digest-planner'].map((service) =>
            Match.objectLike({
              MetricStat: Match.objectLike({
                Metric: {
                  Namespace: 'Dispatch',
                  MetricName: 'LeakBlocked',
                  Dimensions: [{ Name: 'service', Value: service }],
                },
                Stat: 'Sum',
              }),
            }),
          ),
        ),
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ref('AlarmsAlarmTopic')],
      });
    });
  });
});
