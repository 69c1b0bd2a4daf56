import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parsePublication } from '../lambdas/core/publication';
import type { CodeOverride } from './constructs/dispatch-function';
import { DispatchStatefulStack } from './stateful-stack';
import { DispatchStatelessStack } from './stateless-stack';

/** The cdk.json context key holding the publication settings. */
export const PUBLICATION_CONTEXT_KEY = 'dispatch';

export interface BuildAppOptions {
  /**
   * Context for the App. The CDK CLI passes cdk.json's context itself; tests pass the same file's `context`.
   * @default - whatever the CLI provides
   */
  readonly context?: Record<string, unknown>;
  /**
   * Cloud assembly directory.
   * @default - the CLI's `cdk.out`, or a temporary directory outside the CLI
   */
  readonly outdir?: string;
  /**
   * Account/region for both stacks.
   * @default - environment-agnostic, or CDK_DEFAULT_ACCOUNT/CDK_DEFAULT_REGION when the CLI resolves them
   */
  readonly env?: Environment;
  /**
   * Replaces esbuild bundling with pre-built code (infra tests only; every other property stays real).
   * @default - handlers are bundled with esbuild
   */
  readonly codeOverride?: CodeOverride;
  /**
   * CDK's built-in CloudFormation schema validation during synth (its findings are warnings). Tests that only
   * inspect templates may switch it off for speed; cdk-nag runs regardless.
   * @default true
   */
  readonly builtinCloudFormationValidation?: boolean;
}

export interface DispatchApp {
  readonly app: App;
  readonly stateful: DispatchStatefulStack;
  readonly stateless: DispatchStatelessStack;
}

/** The one Dispatch CDK app, used by `lib/app.ts` and by the infra tests alike. cdk-nag checks every synth. */
export function buildApp(options: BuildAppOptions = {}): DispatchApp {
  const app = new App({
    context: options.context,
    outdir: options.outdir,
    builtinCloudFormationValidation: options.builtinCloudFormationValidation,
  });
  const publication = parsePublication(app.node.tryGetContext(PUBLICATION_CONTEXT_KEY));
  const env: Environment | undefined =
    options.env ??
    (process.env.CDK_DEFAULT_ACCOUNT !== undefined || process.env.CDK_DEFAULT_REGION !== undefined
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined);

  const stateful = new DispatchStatefulStack(app, 'DispatchStateful', {
    env,
    description: 'Dispatch data: tables, site and vault buckets, work queues, token key (all retained)',
    terminationProtection: true,
  });
  const stateless = new DispatchStatelessStack(app, 'DispatchStateless', {
    env,
    description: 'Dispatch functions, HTTP API, CloudFront, schedules, SES and alarms',
    publication,
    data: stateful,
    codeOverride: options.codeOverride,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless };
}
