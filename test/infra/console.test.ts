import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Capture, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleContentSecurityPolicy } from '../../lambdas/http/security-headers';
import { CONSOLE_PATH_PATTERN } from '../../lib/constructs/edge-distribution';
import { REPORT_INDEX_REWRITE_CODE } from '../../lib/edge/report-index-rewrite';
import { CONSOLE_DEPLOYMENT_HANDLER_PREFIX, synthDispatch, type Statement } from './dispatch-app';

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  AllowedMethods: string[];
  CachePolicyId: unknown;
  ResponseHeadersPolicyId?: { Ref: string };
  FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
}

/** The editor console on AWS: its CloudFront behaviour and headers, and how its files reach the site bucket. */
describe('editor console', () => {
  let template: Template;
  let assemblyDir: string;
  let behaviors: Behavior[];
  let defaultBehavior: Behavior;
  beforeAll(() => {
    const dispatch = synthDispatch();
    template = dispatch.statelessTemplate;
    assemblyDir = dispatch.app.outdir;
    const config = new Capture();
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: config });
    const distribution = config.asObject() as { CacheBehaviors: Behavior[]; DefaultCacheBehavior: Behavior };
    behaviors = distribution.CacheBehaviors;
    defaultBehavior = distribution.DefaultCacheBehavior;
  });

  const consoleBehavior = (): Behavior => {
    const found = behaviors.find((candidate) => candidate.PathPattern === CONSOLE_PATH_PATTERN);
    if (found === undefined) throw new Error('No /console/* behaviour');
    return found;
  };

  it('serves /console/* from the site bucket, read-only, cached by the objects own Cache-Control', () => {
    expect(consoleBehavior()).toMatchObject({
      TargetOriginId: defaultBehavior.TargetOriginId,
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: defaultBehavior.CachePolicyId,
    });
  });

  it('maps /console/ to the shell with the same viewer-request function as the site', () => {
    expect(consoleBehavior().FunctionAssociations).toEqual(defaultBehavior.FunctionAssociations);
    expect(consoleBehavior().FunctionAssociations).toHaveLength(1);
  });

  it('answers every console file with a CSP without inline script, DENY framing, no referrer and no-store', () => {
    const id = consoleBehavior().ResponseHeadersPolicyId?.Ref ?? '';
    expect(id).toMatch(/ConsoleHeaders/);
    const resource = template.findResources('AWS::CloudFront::ResponseHeadersPolicy')[id] as {
      Properties: { ResponseHeadersPolicyConfig: Record<string, unknown> };
    };
    const config = resource.Properties.ResponseHeadersPolicyConfig;
    const { ContentSecurityPolicy: csp, ...others } = config.SecurityHeadersConfig as Record<string, unknown>;
    expect(others).toEqual({
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
    });
    // The policy with the upload host in place: the site bucket's own regional name (image uploads PUT there).
    expect(csp).toEqual({
      ContentSecurityPolicy: {
        'Fn::Join': [
          '',
          [
            consoleContentSecurityPolicy('https://').split('https://')[0] + 'https://',
            { 'Fn::ImportValue': expect.stringMatching(/SiteBucket\w*RegionalDomainName/) },
            consoleContentSecurityPolicy('https://').split('https://')[1],
          ],
        ],
      },
      Override: true,
    });
    // Not overriding: the shell is stored with no-store, the hashed assets with their own immutable caching.
    expect(config.CustomHeadersConfig).toEqual({
      Items: [{ Header: 'Cache-Control', Value: 'no-store', Override: false }],
    });
    const policy = consoleContentSecurityPolicy('https://dispatch-site.s3.eu-west-1.amazonaws.com');
    expect(policy).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
        "connect-src 'self' https://dispatch-site.s3.eu-west-1.amazonaws.com; frame-src 'self'; object-src 'none'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(policy).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|data:|\*)/);
  });

  it('lets browsers PUT presigned uploads into the site bucket (CORS), and nothing into the vault', () => {
    const buckets = synthDispatch().statefulTemplate.findResources('AWS::S3::Bucket');
    const cors = (prefix: string) =>
      Object.entries(buckets).find(([id]) => id.startsWith(prefix))?.[1]?.Properties?.CorsConfiguration as unknown;
    expect(cors('SiteBucket')).toEqual({
      CorsRules: [{ AllowedHeaders: ['*'], AllowedMethods: ['PUT'], AllowedOrigins: ['*'], MaxAge: 600 }],
    });
    expect(cors('VaultBucket')).toBeUndefined();
  });

  it('copies the built console under console/: assets cached for a year, the shell never, nothing pruned', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')).map(
      (resource) => (resource as { Properties: Record<string, unknown> }).Properties,
    );
    expect(deployments).toHaveLength(2);
    for (const deployment of deployments) {
      expect(deployment).toMatchObject({
        DestinationBucketKeyPrefix: 'console/',
        Prune: false,
        DestinationBucketName: { 'Fn::ImportValue': expect.stringMatching(/SiteBucket/) },
      });
    }
    expect(deployments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Exclude: ['index.html'],
          SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
        }),
        expect.objectContaining({
          Exclude: ['*'],
          Include: ['index.html'],
          SystemMetadata: { 'cache-control': 'no-store' },
        }),
      ]),
    );
    expect(JSON.stringify(deployments)).not.toContain('Vault');
  });

  it('deploys a shell whose script and stylesheet are content-hashed files of the same build', () => {
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0] as {
      Properties: { SourceObjectKeys: string[] };
    };
    const [zip] = deployment.Properties.SourceObjectKeys;
    const assetDir = join(assemblyDir, `asset.${(zip ?? '').replace(/\.zip$/, '')}`);
    const shell = readFileSync(join(assetDir, 'index.html'), 'utf8');
    const script = /<script type="module" src="\/console\/(assets\/app-[A-Z0-9]+\.js)"><\/script>/.exec(shell)?.[1];
    const stylesheet = /<link rel="stylesheet" href="\/console\/(assets\/console-[A-Z0-9]+\.css)"/.exec(shell)?.[1];
    expect(script).toBeDefined();
    expect(stylesheet).toBeDefined();
    expect(readFileSync(join(assetDir, script ?? ''), 'utf8')).toContain('sessionStorage');
    // The series the form offers come from cdk.json, compiled into the build.
    const scripts = readdirSync(join(assetDir, 'assets')).filter((name) => name.endsWith('.js'));
    expect(scripts.some((name) => readFileSync(join(assetDir, 'assets', name), 'utf8').includes('Grid Watch'))).toBe(
      true,
    );
    expect(readFileSync(join(assetDir, stylesheet ?? ''), 'utf8').length).toBeGreaterThan(100);
    // No inline script for the CSP to refuse.
    expect(shell.match(/<script/g)).toHaveLength(1);
  });

  it('lets the deployment handler write only under console/ and delete nothing', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith(CONSOLE_DEPLOYMENT_HANDLER_PREFIX),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
      .PolicyDocument.Statement;
    const denies = statements.filter((statement) => statement.Effect === 'Deny');
    expect(denies).toEqual([
      {
        Effect: 'Deny',
        Action: 's3:PutObject*',
        NotResource: { 'Fn::Join': ['', [{ 'Fn::ImportValue': 'DispatchStateful-SiteBucketArn' }, '/console/*']] },
      },
      { Effect: 'Deny', Action: 's3:DeleteObject*', Resource: '*' },
    ]);
    expect(JSON.stringify(statements)).not.toContain('Vault');
  });
});

describe('index rewrite for the console', () => {
  const run = (uri: string): { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> } => {
    const sandbox: { handler?: (event: unknown) => never } = {};
    runInNewContext(`${REPORT_INDEX_REWRITE_CODE}\nthis.handler = handler;`, sandbox);
    if (sandbox.handler === undefined) throw new Error('no handler');
    return sandbox.handler({ request: { uri, method: 'GET', headers: {} } });
  };

  it('maps /console/ to the shell', () => {
    expect(run('/console/').uri).toBe('/console/index.html');
  });

  it('redirects /console to /console/', () => {
    const response = run('/console');
    expect(response.statusCode).toBe(301);
    expect(response.headers?.location?.value).toBe('/console/');
  });

  it.each(['/console/index.html', '/console/assets/app-ABC123.js', '/consoles/', '/console/x/'])(
    'leaves %s alone',
    (uri) => {
      expect(run(uri).uri).toBe(uri);
    },
  );
});
