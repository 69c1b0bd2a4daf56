import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../lambdas/adapters/data-model';
import { DISPATCH_METRICS, type DispatchMetricName, METRICS_NAMESPACE } from '../../lambdas/adapters/metrics';
import { PROJECT_ROOT } from '../../lib/constructs/dispatch-function';
import { FUNCTION_NAMES } from '../../lambdas/app-model';
import { logicalId, synthDispatch } from './dispatch-app';

const pascal = (name: string): string =>
  name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
const ref = (prefix: string): object => ({ Ref: Match.stringLikeRegexp(`^${prefix}[0-9A-F]{8}$`) });
const topic = [ref('AlarmsAlarmTopic')];
const METRIC_NAMES = Object.keys(DISPATCH_METRICS) as DispatchMetricName[];
const DEAD_LETTER_QUEUES = [...QUEUES.map((queue) => `${queue.id}DeadLetter`), 'FailedEvents'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type MetricRow = Json[];
interface Widget {
  type: string;
  properties: { title?: string; metrics?: MetricRow[]; annotations?: { horizontal?: { value: number }[] } };
}

/**
 * The dashboard body is a Fn::Join of JSON text and tokens (region, function names, imported queue names);
 * tokens become `<Ref:LogicalId>` / `<Import:ExportName>` so the body parses and can be read as widgets.
 */
function dashboardWidgets(template: Template): Widget[] {
  const [dashboard, ...others] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(others).toEqual([]);
  const body = (dashboard as { Properties: { DashboardBody: { 'Fn::Join': [string, Json[]] } } }).Properties
    .DashboardBody['Fn::Join'][1];
  const text = body
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::ImportValue'?: string };
      if (token.Ref !== undefined) return `<Ref:${token.Ref}>`;
      if (token['Fn::ImportValue'] !== undefined) return `<Import:${token['Fn::ImportValue']}>`;
      throw new Error(`Unexpected token in the dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** `namespace metric dimension=value` for every plain metric row, `expression` for every math row. */
function describeRows(widget: Widget): string[] {
  return (widget.properties.metrics ?? []).map((row) => {
    const options = row[row.length - 1] as { expression?: string };
    if (options.expression !== undefined) return `expression ${options.expression}`;
    const [namespace, name, ...dimensions] = row.slice(0, -1) as string[];
    const pairs: string[] = [];
    for (let index = 0; index + 1 < dimensions.length; index += 2) {
      pairs.push(`${dimensions[index]}=${dimensions[index + 1]}`);
    }
    return [namespace, name, ...pairs].join(' ');
  });
}

describe('observability', () => {
  let template: Template;
  let widgets: Widget[];
  const widget = (title: RegExp): Widget => {
    const found = widgets.filter((candidate) => title.test(candidate.properties.title ?? ''));
    expect(found, `one widget titled ${title}`).toHaveLength(1);
    return found[0] as Widget;
  };
  beforeAll(() => {
    template = synthDispatch().statelessTemplate;
    widgets = dashboardWidgets(template);
  });

  describe('functions', () => {
    it.each(FUNCTION_NAMES)('%s is actively traced and names its Powertools service and namespace', (name) => {
      const id = logicalId(template, 'AWS::Lambda::Function', `${pascal(name)}Function`);
      expect(template.findResources('AWS::Lambda::Function')[id]?.Properties).toMatchObject({
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: name, POWERTOOLS_METRICS_NAMESPACE: 'Dispatch' } },
      });
    });

    it('names only real functions as metric emitters, and each metric is emitted in the code', () => {
      const sources = ['handlers', 'adapters', 'wiring', 'events']
        .flatMap((dir) =>
          readdirSync(join(PROJECT_ROOT, 'lambdas', dir), { recursive: true, encoding: 'utf8' })
            .filter((file) => file.endsWith('.ts'))
            .map((file) => join(PROJECT_ROOT, 'lambdas', dir, file)),
        )
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
      for (const name of METRIC_NAMES) {
        for (const emitter of DISPATCH_METRICS[name].emittedBy) expect(FUNCTION_NAMES).toContain(emitter);
        expect(sources, `${name} is emitted somewhere`).toMatch(new RegExp(`emitMetric\\([^)]*'${name}'`));
      }
    });
  });

  describe('dashboard', () => {
    it('shows every Dispatch metric from each function that emits it', () => {
      const rows = widgets.flatMap(describeRows);
      for (const name of METRIC_NAMES) {
        for (const service of DISPATCH_METRICS[name].emittedBy) {
          expect(rows).toContain(`${METRICS_NAMESPACE} ${name} service=${service}`);
        }
      }
    });

    it('graphs submits, publish lag (p50 and p99) and leak blocks summed over their emitters', () => {
      expect(describeRows(widget(/^Submits$/))).toEqual(['Dispatch Submits service=reports-api']);
      const lag = widget(/^Publish lag/).properties.metrics ?? [];
      expect(lag.map((row) => (row[row.length - 1] as { stat: string }).stat)).toEqual(['p50', 'p99']);
      expect(describeRows(widget(/^Leak blocks$/))).toContain(
        'expression FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0)',
      );
    });

    it('graphs edition progress: recipients sent, failed and pending (mail queue messages)', () => {
      const rows = describeRows(widget(/^Edition progress/));
      expect(rows).toEqual(
        expect.arrayContaining([
          'Dispatch RecipientsSent service=mail-sender',
          'Dispatch RecipientsFailed service=mail-sender',
          'expression 10 * (waiting + inFlight)',
          expect.stringMatching(/^AWS\/SQS ApproximateNumberOfMessagesVisible QueueName=<Import:.*MailQueue/),
          expect.stringMatching(/^AWS\/SQS ApproximateNumberOfMessagesNotVisible QueueName=<Import:.*MailQueue/),
        ]),
      );
    });

    it('graphs sends per second and the bounce and complaint rates against the SES review lines', () => {
      expect(describeRows(widget(/^Sends per second$/))).toContain('expression sent / PERIOD(sent)');
      const rates = widget(/^Bounce and complaint rate/);
      expect(describeRows(rates)).toEqual(
        expect.arrayContaining([
          'expression 100 * FILL(bounces, 0) / sent',
          'expression 100 * FILL(complaints, 0) / sent',
          'Dispatch Bounces service=ses-feedback',
          'Dispatch Complaints service=ses-feedback',
        ]),
      );
      expect(rates.properties.annotations?.horizontal?.map((line) => line.value)).toEqual([5, 0.1]);
    });

    it('graphs the depth of every work queue and every dead-letter queue', () => {
      const depth = describeRows(widget(/^Queue depth/));
      for (const queue of QUEUES) {
        expect(depth).toContainEqual(expect.stringMatching(new RegExp(`QueueName=<Import:.*${queue.id}.*QueueName`)));
      }
      const deadLetters = describeRows(widget(/^Dead-letter queue depth$/));
      expect(deadLetters).toHaveLength(DEAD_LETTER_QUEUES.length);
      for (const row of deadLetters) expect(row).toMatch(/^AWS\/SQS ApproximateNumberOfMessagesVisible QueueName=/);
    });

    it.each([
      ['Errors', /^Errors per function$/],
      ['Throttles', /^Throttles per function$/],
    ])('graphs Lambda %s for every function', (metric, title) => {
      const rows = describeRows(widget(title));
      expect(rows).toHaveLength(FUNCTION_NAMES.length);
      for (const name of FUNCTION_NAMES) {
        expect(rows).toContainEqual(
          expect.stringMatching(
            new RegExp(`^AWS/Lambda ${metric} FunctionName=<Ref:${pascal(name)}Function[0-9A-F]{8}>$`),
          ),
        );
      }
    });
  });

  describe('alarms', () => {
    const lambdaAlarm = (metric: string, name: string): object => ({
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: ref(`${pascal(name)}Function`) }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: topic,
    });

    it.each(FUNCTION_NAMES)('%s pages on throttles', (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', lambdaAlarm('Throttles', name));
    });

    it.each(FUNCTION_NAMES.filter((name) => name !== 'authorizer'))('%s pages on errors', (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', lambdaAlarm('Errors', name));
    });

    it('does not page on authorizer errors: it throws Unauthorized for every bad token by contract', () => {
      expect(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: {
            MetricName: 'Errors',
            Dimensions: [{ Name: 'FunctionName', Value: ref('AuthorizerFunction') }],
          },
        }),
      ).toEqual({});
    });

    it.each(DEAD_LETTER_QUEUES)('%s depth > 0 pages the operator', (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp(`^Messages in ${name}:`),
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: topic,
      });
    });

    it('pages on p99 publish lag above two minutes for two five-minute periods', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: {
                Namespace: 'Dispatch',
                MetricName: 'PublishLag',
                Dimensions: [{ Name: 'service', Value: 'feed-publisher' }],
              },
              Period: 300,
              Stat: 'p99',
            },
          }),
        ],
        Threshold: 120_000,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 2,
        AlarmActions: topic,
      });
    });

    it.each([
      ['bounces', 'Bounces', 5],
      ['complaints', 'Complaints', 0.1],
    ])('pages when %s reach the SES review rate per hour of digest sends', (id, metric, threshold) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: `100 * FILL(${id}, 0) / sent`, ReturnData: true }),
          Match.objectLike({
            Id: id,
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({ Namespace: 'Dispatch', MetricName: metric }),
              Period: 3600,
              Stat: 'Sum',
            }),
          }),
          Match.objectLike({
            Id: 'sent',
            MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RecipientsSent' }), Period: 3600 }),
          }),
        ]),
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: topic,
      });
    });

    it('pages when a mail-queue message has waited six hours', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::ImportValue': Match.stringLikeRegexp('MailQueue.*QueueName') } },
        ],
        Statistic: 'Maximum',
        Threshold: 6 * 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: topic,
      });
    });

    it('sends every alarm to the alarm topic and nowhere else', () => {
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      // DLQs, errors (all but the authorizer), throttles, leak, lag, bounce and complaint rates, mail-queue age.
      expect(alarms).toHaveLength(DEAD_LETTER_QUEUES.length + 2 * FUNCTION_NAMES.length - 1 + 5);
      for (const alarm of alarms) {
        expect((alarm as { Properties: { AlarmActions: Json[] } }).Properties.AlarmActions).toEqual([
          { Ref: expect.stringMatching(/^AlarmsAlarmTopic[0-9A-F]{8}$/) },
        ]);
      }
    });
  });
});
