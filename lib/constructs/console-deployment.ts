import { join } from 'node:path';
import { Stack, Stage, Token, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { Publication } from '../../lambdas/core/shared/publication';
import {
  ASSET_CACHE_CONTROL,
  buildConsole,
  CONSOLE_KEY_PREFIX,
  consoleSettings,
  SHELL_CACHE_CONTROL,
} from '../console/build-console';

export interface ConsoleDeploymentProps {
  /**
   * The public site bucket, imported by its exported ARN; the console goes under `console/` and nothing else in
   * the bucket is touched.
   */
  readonly siteBucket: IBucket;
  /** The name of that ARN's export, as cdk-nag prints it in the findings acknowledged here. */
  readonly siteBucketArnExportName: string;
  readonly publication: Publication;
}

/**
 * The editor console (`lib/console/build-console.ts`) copied into the site bucket under `console/` at deploy time,
 * in two deployments because the two kinds of file are cached differently: content-hashed assets for a year, the
 * shell never. `prune: false` on both (and an explicit deny of every delete on the handler's role): nothing is
 * ever deleted, so no publisher file outside `console/` can be removed, and a tab still holding the previous shell
 * keeps finding its assets.
 */
export class ConsoleDeployment extends Construct {
  public readonly assets: BucketDeployment;
  public readonly shell: BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleDeploymentProps) {
    super(scope, id);
    const outdir = Stage.of(this)?.outdir;
    if (outdir === undefined) throw new Error('The console deployment must be inside a CDK app');
    const build = buildConsole(join(outdir, '.console-build'), consoleSettings(props.publication));
    const source = Source.asset(build.outDir);

    this.assets = new BucketDeployment(this, 'Assets', {
      sources: [source],
      destinationBucket: props.siteBucket,
      destinationKeyPrefix: CONSOLE_KEY_PREFIX,
      exclude: ['index.html'],
      prune: false,
      cacheControl: [CacheControl.fromString(ASSET_CACHE_CONTROL)],
    });
    // After the assets, so a shell never names an asset that is not there yet.
    this.shell = new BucketDeployment(this, 'Shell', {
      sources: [source],
      destinationBucket: props.siteBucket,
      destinationKeyPrefix: CONSOLE_KEY_PREFIX,
      exclude: ['*'],
      include: ['index.html'],
      prune: false,
      cacheControl: [CacheControl.fromString(SHELL_CACHE_CONTROL)],
    });
    this.shell.node.addDependency(this.assets);

    // BucketDeployment grants its handler read-write on the whole bucket. The explicit denies narrow that to
    // what the console needs: it writes only under console/ and deletes nothing. (One handler serves both.)
    this.assets.handlerRole.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['s3:PutObject*'],
        notResources: [props.siteBucket.arnForObjects(`${CONSOLE_KEY_PREFIX}*`)],
      }),
    );
    this.assets.handlerRole.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.DENY, actions: ['s3:DeleteObject*'], resources: ['*'] }),
    );

    // aws-cdk-lib's own singleton handler (one per stack, shared by both deployments): its runtime, managed
    // logging policy and wildcard grants come from BucketDeployment and run only while CloudFormation deploys.
    const handler = this.assets.handlerRole.node.scope;
    if (handler === undefined) throw new Error('BucketDeployment has no handler');
    const granted =
      'Granted by aws-cdk-lib BucketDeployment (grantRead on the CDK asset bucket, grantReadWrite on the site bucket); runs only during a deploy.';
    const narrowed =
      'Narrowed by explicit denies on this role: s3:PutObject* outside console/ and every s3:DeleteObject*.';
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'The BucketDeployment handler runtime is chosen by aws-cdk-lib, which keeps it current.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CloudWatch Logs for the BucketDeployment handler, as aws-cdk-lib builds it.',
      },
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: granted,
      })),
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: `${granted} ${narrowed}` },
      { id: `AwsSolutions-IAM5[Resource::${props.siteBucketArnExportName}/*]`, reason: `${granted} ${narrowed}` },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${assetBucketName(Stack.of(this))}/*]`,
        reason: `${granted} It reads the console's zipped build from the CDK asset bucket.`,
      },
    );
  }
}

/**
 * The CDK bootstrap asset bucket as cdk-nag names it in findings: the default synthesizer's qualifier, with the
 * account and region as placeholders when the stack is environment-agnostic.
 */
function assetBucketName(stack: Stack): string {
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  return `cdk-hnb659fds-assets-${account}-${region}`;
}
