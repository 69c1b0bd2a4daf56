import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePublication } from '../../lambdas/core/shared/publication';
import { appFunctions, cdkJsonContext, logicalId, synthDispatch } from './dispatch-app';

interface FunctionProperties {
  Architectures: string[];
  Runtime: string;
  Handler: string;
  Timeout: number;
  MemorySize: number;
  Description: string;
  ReservedConcurrentExecutions?: number;
  LoggingConfig: { LogGroup: { Ref: string }; LogFormat: string };
  Environment: { Variables: Record<string, unknown> };
  TracingConfig?: unknown;
}

/** Properties of the function with construct id `<name>Function`. */
const fn = (template: Template, name: string): FunctionProperties =>
  template.findResources('AWS::Lambda::Function')[logicalId(template, 'AWS::Lambda::Function', `${name}Function`)]
    ?.Properties as FunctionProperties;

describe('functions', () => {
  let template: Template;
  beforeAll(() => {
    template = synthDispatch().statelessTemplate;
  });

  it('builds 18 functions, all arm64 on the Node.js 24 runtime with our handler export', () => {
    const functions = Object.values(appFunctions(template));
    expect(functions).toHaveLength(18);
    for (const resource of functions) {
      expect(resource.Properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
      });
    }
  });

  it('gives every function its own log group with one-month retention, retained on deletion', () => {
    const functions = Object.values(appFunctions(template));
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    for (const resource of functions) {
      const properties = resource.Properties as FunctionProperties;
      expect(logGroups[properties.LoggingConfig.LogGroup.Ref]).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: { RetentionInDays: 30 },
      });
      expect(properties.LoggingConfig.LogFormat).toBe('JSON');
    }
  });

  it('defaults to 10 s and 256 MB', () => {
    expect(fn(template, 'Health')).toMatchObject({ Timeout: 10, MemorySize: 256 });
    expect(fn(template, 'ReportsApi')).toMatchObject({ Timeout: 10, MemorySize: 256 });
  });

  it('sizes the MJML renderers and the planner for their work', () => {
    expect(fn(template, 'DigestsApi')).toMatchObject({ MemorySize: 1024, Timeout: 29 });
    expect(fn(template, 'DigestPlanner')).toMatchObject({ MemorySize: 1024, Timeout: 300 });
    expect(fn(template, 'MailSender')).toMatchObject({ Timeout: 30 });
  });

  it('hands every function the publication, source maps and its Powertools service name and namespace', () => {
    const publication = JSON.stringify(parsePublication(cdkJsonContext().dispatch));
    for (const resource of Object.values(appFunctions(template))) {
      const properties = resource.Properties as FunctionProperties;
      expect(properties.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^[a-z]+(-[a-z]+)*$/),
        POWERTOOLS_METRICS_NAMESPACE: 'Dispatch',
        DISPATCH_PUBLICATION: publication,
      });
    }
  });

  it('names tables, buckets, queues, the secret and the configuration set by env var, only where granted', () => {
    expect(Object.keys(fn(template, 'ReportsApi').Environment.Variables).sort()).toEqual([
      'DISPATCH_PUBLICATION',
      'NODE_OPTIONS',
      'PLAN_QUEUE_URL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'TABLE_DIGESTS',
      'TABLE_IDEMPOTENCY',
      'TABLE_REPORTS',
      'VAULT_BUCKET',
    ]);
    expect(Object.keys(fn(template, 'MailSender').Environment.Variables).sort()).toEqual([
      'DISPATCH_PUBLICATION',
      'MAIL_SENDER_MAX_CONCURRENCY',
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'SES_CONFIGURATION_SET',
      'TABLE_DIGESTS',
      'TABLE_SUBSCRIBERS',
      'TOKEN_SECRET_ARN',
      'VAULT_BUCKET',
    ]);
    expect(fn(template, 'DigestsApi').Environment.Variables).toMatchObject({
      PLAN_QUEUE_URL: { 'Fn::ImportValue': expect.stringMatching(/PlanQueue/) },
      TABLE_DIGESTS: { 'Fn::ImportValue': expect.stringMatching(/DigestsTable/) },
    });
    expect(fn(template, 'DigestPlanner').Environment.Variables).toMatchObject({
      MAIL_QUEUE_URL: { 'Fn::ImportValue': expect.stringMatching(/MailQueue/) },
    });
    expect(fn(template, 'Health').Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'health',
      POWERTOOLS_METRICS_NAMESPACE: 'Dispatch',
      DISPATCH_PUBLICATION: expect.any(String),
    });
  });

  it('points SES_CONFIGURATION_SET at the configuration set', () => {
    expect(fn(template, 'SignUpWorker').Environment.Variables.SES_CONFIGURATION_SET).toEqual({
      Ref: expect.stringMatching(/^MailConfigurationSet/),
    });
  });

  it('hands the subscribers API the sign-up queue and the rate-limit table, and no mail settings', () => {
    expect(Object.keys(fn(template, 'SubscribersApi').Environment.Variables).sort()).toEqual([
      'DISPATCH_PUBLICATION',
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'SIGN_UP_QUEUE_URL',
      'TABLE_RATE_LIMITS',
      'TABLE_SUBSCRIBERS',
      'TOKEN_SECRET_ARN',
    ]);
  });

  it('hands billing-webhook the billing and subscribers tables and the signing secret ARN, the sweeper no secret', () => {
    const shared = ['DISPATCH_PUBLICATION', 'NODE_OPTIONS', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME'];
    expect(Object.keys(fn(template, 'BillingWebhook').Environment.Variables).sort()).toEqual(
      [...shared, 'STRIPE_WEBHOOK_SECRET_ARN', 'TABLE_BILLING', 'TABLE_SUBSCRIBERS'].sort(),
    );
    expect(Object.keys(fn(template, 'BillingSweeper').Environment.Variables).sort()).toEqual(
      [...shared, 'TABLE_BILLING', 'TABLE_SUBSCRIBERS'].sort(),
    );
  });

  it('retries nothing for the minute sweeper and dead-letters SES feedback it could not apply', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^ReleaseSweeperFunction') },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^SesFeedbackFunction') },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::ImportValue': Match.stringLikeRegexp('FailedEventsQueue') } },
      },
    });
  });
});
