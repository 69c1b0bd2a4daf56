import { App, type Environment, Stack, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parsePublication } from '../lambdas/core/shared/publication';
import type { CodeOverride } from './constructs/dispatch-function';
import { EdgeFirewall } from './constructs/edge-firewall';
import { ROUTES } from '../lambdas/routes';
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
  /** Only for a deployment outside us-east-1: the CloudFront web ACL must be created there. */
  readonly edgeFirewall?: Stack;
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
  // A CLOUDFRONT web ACL exists only in us-east-1. Deployed elsewhere, it gets a stack of its own there and the
  // stateless stack reads its ARN through a cross-region reference; environment-agnostic synths keep it inline.
  const region = env?.region;
  const separateFirewall = region !== undefined && !Token.isUnresolved(region) && region !== 'us-east-1';
  let edgeFirewall: Stack | undefined;
  let edgeWebAclArn: string | undefined;
  if (separateFirewall) {
    edgeFirewall = new Stack(app, 'DispatchEdgeFirewall', {
      env: { account: env?.account, region: 'us-east-1' },
      crossRegionReferences: true,
      description: 'Dispatch CloudFront web ACL (per-client rate limits); CloudFront web ACLs live in us-east-1',
    });
    edgeWebAclArn = new EdgeFirewall(edgeFirewall, 'EdgeFirewall', { routes: ROUTES }).webAcl.attrArn;
  }
  const stateless = new DispatchStatelessStack(app, 'DispatchStateless', {
    env,
    description: 'Dispatch functions, HTTP API, CloudFront, schedules, SES and alarms',
    publication,
    data: stateful,
    codeOverride: options.codeOverride,
    edgeWebAclArn,
    crossRegionReferences: separateFirewall,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless, ...(edgeFirewall ? { edgeFirewall } : {}) };
}
