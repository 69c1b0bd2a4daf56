import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildApp, type BuildAppOptions, type DispatchApp } from '../../lib/build-app';
import { PROJECT_ROOT } from '../../lib/constructs/dispatch-function';

/** cdk.json's context: the same publication settings and feature flags the CLI passes to `lib/app.ts`. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/**
 * Stand-in code for template tests: esbuild bundling of 13 handlers takes longer than all assertions together.
 * Every other property of every function is real; `dispatch-function.test.ts` bundles a real handler.
 */
export const INLINE_CODE: NonNullable<BuildAppOptions['codeOverride']> = () =>
  Code.fromInline('export const handler = async () => { throw new Error("test stand-in"); };');

export interface SynthesizedDispatch extends DispatchApp {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/** The app exactly as `lib/app.ts` builds it (cdk-nag included), with stand-in code. */
export function synthDispatch(options: BuildAppOptions = {}): SynthesizedDispatch {
  const dispatch = buildApp({
    context: cdkJsonContext(),
    codeOverride: INLINE_CODE,
    builtinCloudFormationValidation: false,
    ...options,
  });
  return {
    ...dispatch,
    statefulTemplate: Template.fromStack(dispatch.stateful),
    statelessTemplate: Template.fromStack(dispatch.stateless),
  };
}

/**
 * Logical-id prefix of aws-cdk-lib's BucketDeployment handler, which copies the editor console into the site
 * bucket at deploy time (`lib/constructs/console-deployment.ts`, tested in `console.test.ts`). It is not a function
 * of the app model, so the suites about those leave it out.
 */
export const CONSOLE_DEPLOYMENT_HANDLER_PREFIX = 'CustomCDKBucketDeployment';

/** The Lambda functions built from the app model (`lambdas/app-model.ts`), by logical id. */
export function appFunctions(template: Template): Record<string, { Properties: unknown }> {
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([id]) => !id.startsWith(CONSOLE_DEPLOYMENT_HANDLER_PREFIX),
    ),
  ) as Record<string, { Properties: unknown }>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: Json;
  readonly Condition?: Json;
}

/** Logical id of the one resource of `type` whose id is `prefix` plus CDK's 8-hex hash. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  if (ids.length !== 1) throw new Error(`Expected one ${type} named ${prefix}…, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/** Every statement of every IAM policy attached to the role of the function with construct id `functionId`. */
export function roleStatements(template: Template, functionId: string): Statement[] {
  const fnId = logicalId(template, 'AWS::Lambda::Function', functionId);
  const fn = template.findResources('AWS::Lambda::Function')[fnId] as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] } };
  };
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  const role = template.findResources('AWS::IAM::Role')[roleId] as { Properties: { ManagedPolicyArns?: Json[] } };
  if (role.Properties.ManagedPolicyArns !== undefined) throw new Error(`${functionId} role has managed policies`);
  return policies
    .filter((policy) => policy.Properties.Roles.some((ref) => ref.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** A readable name for an IAM resource of the synthesized templates, e.g. `table:Reports/index/byTag`. */
export function describeResource(resource: Json): string {
  const text = typeof resource === 'string' ? resource : JSON.stringify(resource);
  if (text === '*') return '*';
  const suffix = /"([^"]*)"\]\]\}$/.exec(text)?.[1] ?? '';
  const named: [RegExp, string][] = [
    [/DispatchStateful-VaultBucketArn/, 'vault'],
    [/DispatchStateful-SiteBucketArn/, 'site'],
    [/ReportsTable\w*StreamArn/, 'stream:Reports'],
    [/GetAtt(\w+?)Table[0-9A-F]{8}Arn/, 'table:$1'],
    [/(PlanQueue|MailQueue|SignUpQueue|FailedEventsQueue)\w*Arn/, 'queue:$1'],
    [/TokenSecret/, 'secret:Token'],
    [/StripeWebhookSecret/, 'secret:StripeWebhook'],
    [/configuration-set/, 'ses:configuration-set'],
    [/MailSenderIdentity|identity\//, 'ses:identity'],
    [/(\w+)FunctionLogGroup/, 'log-group:$1'],
  ];
  for (const [pattern, name] of named) {
    const match = pattern.exec(text);
    if (match !== null)
      return `${match[0].replace(pattern, name)}${suffix.startsWith('/') || suffix.startsWith(':') ? suffix : ''}`;
  }
  return text;
}

/** `action resource` pairs of a role, sorted: the exact least-privilege surface of a function. */
export function grantsOf(statements: readonly Statement[]): string[] {
  const pairs = statements.flatMap((statement) => {
    if (statement.Effect !== 'Allow') return [];
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return actions.flatMap((action) => resources.map((resource) => `${action} ${describeResource(resource)}`));
  });
  return [...new Set(pairs)].sort();
}
