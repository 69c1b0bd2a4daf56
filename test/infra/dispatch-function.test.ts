import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DispatchFunction, ESM_REQUIRE_BANNER } from '../../lib/constructs/dispatch-function';
import { INLINE_CODE } from './dispatch-app';

const PUBLICATION_JSON = '{"name":"Test"}';

/** Imports a bundle in a fresh Node process with only `env` (and PATH) set, and prints its handler's answer. */
function runBundle(bundlePath: string, env: Record<string, string>): Promise<{ stdout: string }> {
  const script = `const { handler } = await import(${JSON.stringify(bundlePath)}); console.log(JSON.stringify(await handler()));`;
  return promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

/** The directory of the one esbuild bundle a synthesized app holds (assets live in the OS temp directory). */
function bundledAssetDir(app: App): string {
  const outdir = app.synth().directory;
  const found = readdirSync(outdir)
    .map((name) => join(outdir, name))
    .find((dir) => existsSync(join(dir, 'index.mjs')));
  if (found === undefined) throw new Error('no bundled index.mjs in the cloud assembly');
  return found;
}

describe('DispatchFunction bundles the AWS SDK', () => {
  let assetDir: string;
  let sources: string[];
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'BundledSdk');
    new DispatchFunction(stack, 'AuthorizerFunction', {
      handlerName: 'authorizer',
      description: 'SDK bundling check',
      publicationJson: PUBLICATION_JSON,
    });
    assetDir = bundledAssetDir(app);
    sources = (JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
  });

  it('puts the DynamoDB client inside the bundle, tree-shaken', () => {
    expect(sources.some((source) => source.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(sources.some((source) => source.includes('node_modules/@aws-sdk/client-s3/'))).toBe(false);
    expect(sources.some((source) => source.includes('node_modules/mjml'))).toBe(false);
  });

  it('keeps classic zod out of the authorizer, which runs before every API request', () => {
    // zod/mini only: classic zod is ~440 KB of bundle and most of a cold start (test/bench/bundle.ts).
    expect(sources.some((source) => source.includes('node_modules/zod/v4/classic/'))).toBe(false);
  });

  it('imports and answers in a fresh process whose module path holds nothing but the bundle', async () => {
    // The cloud assembly is in the OS temp directory: no node_modules above it, so every import must be inside.
    const script = `const { handler } = await import(${JSON.stringify(join(assetDir, 'index.mjs'))});
      try { await handler({ type: 'REQUEST', routeKey: 'GET /api/reports', headers: {} }); console.log('allowed'); }
      catch (error) { console.log(String(error.message)); }`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: assetDir,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', TABLE_EDITORS: 'dispatch-editors' },
    });
    // The last line is the handler's answer; the lines before it are the function's own structured logs.
    expect(stdout.trim().split('\n').at(-1)).toBe('Unauthorized');
  });
});

describe('the submit function (reports-api) as bundled', () => {
  let sources: string[];
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'SubmitBundle');
    new DispatchFunction(stack, 'ReportsApiFunction', {
      handlerName: 'reports-api',
      description: 'bundle contents check',
      publicationJson: PUBLICATION_JSON,
    });
    const map = readFileSync(join(bundledAssetDir(app), 'index.mjs.map'), 'utf8');
    sources = (JSON.parse(map) as { sources: string[] }).sources;
  });

  it('carries the feed renderers for the report preview, and neither MJML nor the digest renderer', () => {
    // The preview's feed items come from the real feed renderers; the email block is digests-api's to compile.
    expect(sources.some((source) => source.includes('node_modules/feed/'))).toBe(true);
    expect(sources.some((source) => source.includes('node_modules/mjml'))).toBe(false);
    expect(sources.some((source) => source.includes('lambdas/render/'))).toBe(false);
  });
});

describe('DispatchFunction', () => {
  describe('with real esbuild bundling', () => {
    let template: Template;
    let bundle: string;
    let assetFiles: string[];
    let assetDir: string;
    beforeAll(() => {
      const app = new App();
      const stack = new Stack(app, 'Bundled');
      new DispatchFunction(stack, 'HealthFunction', {
        handlerName: 'health',
        description: 'bundling check',
        publicationJson: PUBLICATION_JSON,
        loader: { '.mjml': 'text' },
        copyIntoBundle: ['templates'],
      });
      template = Template.fromStack(stack);
      assetDir = bundledAssetDir(app);
      assetFiles = readdirSync(assetDir).sort();
      bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    });

    it('emits a minified ESM bundle with a linked source map', () => {
      expect(assetFiles).toEqual(['index.mjs', 'index.mjs.map', 'templates']);
      expect(bundle).toMatch(/export\s*\{/);
      expect(bundle).toContain('sourceMappingURL=index.mjs.map');
    });

    it('starts with the createRequire banner for CommonJS dependencies', () => {
      expect(bundle.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    });

    it('ships copyIntoBundle directories next to index.mjs (the MJML digest templates)', () => {
      expect(existsSync(join(assetDir, 'templates', 'digest.mjml'))).toBe(true);
    });

    it('runs outside Lambda with tracing and metrics output off', async () => {
      const { stdout } = await runBundle(join(assetDir, 'index.mjs'), {});
      expect(stdout.trim().split('\n')).toEqual([expect.stringContaining('"statusCode":200')]);
    });

    it('on Lambda sends the handler subsegment to X-Ray and prints the cold-start metric (the tracer bundles)', async () => {
      const daemon = createSocket('udp4');
      const segments: string[] = [];
      daemon.on('message', (message) => segments.push(message.toString('utf8')));
      await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
      try {
        const { stdout } = await runBundle(join(assetDir, 'index.mjs'), {
          AWS_LAMBDA_FUNCTION_NAME: 'HealthFunction',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          LAMBDA_TASK_ROOT: assetDir,
          _HANDLER: 'index.handler',
          _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
          AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
          POWERTOOLS_SERVICE_NAME: 'health',
          POWERTOOLS_METRICS_NAMESPACE: 'Dispatch',
        });
        expect(stdout).toContain('"statusCode":200');
        expect(stdout).toContain('"ColdStart":1');
        await expect.poll(() => segments.join('\n')).toContain('"name":"## index.handler"');
        expect(segments.join('\n')).toContain('"annotations":{"ColdStart":true,"Service":"health"}');
      } finally {
        daemon.close();
      }
    });

    it('leaves nothing to import from the runtime: no external @aws-sdk import is left in the bundle', () => {
      expect(bundle).not.toMatch(/(from|import\()\s*["']@aws-sdk\//);
    });

    it('synthesizes our defaults', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: 10,
        MemorySize: 256,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: {
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: 'health',
            POWERTOOLS_METRICS_NAMESPACE: 'Dispatch',
            DISPATCH_PUBLICATION: PUBLICATION_JSON,
          },
        },
      });
      template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    });
  });

  describe('props', () => {
    const build = (props: Partial<ConstructorParameters<typeof DispatchFunction>[2]>): Template => {
      const stack = new Stack(new App(), 'Props');
      new DispatchFunction(stack, 'Fn', {
        handlerName: 'health',
        description: 'props check',
        publicationJson: PUBLICATION_JSON,
        codeOverride: INLINE_CODE,
        ...props,
      });
      return Template.fromStack(stack);
    };

    it('passes timeout, memory, reserved concurrency and extra environment through', () => {
      build({
        timeout: Duration.seconds(42),
        memorySize: 512,
        reservedConcurrentExecutions: 3,
        environment: { TABLE_REPORTS: 'reports' },
      }).hasResourceProperties('AWS::Lambda::Function', {
        Timeout: 42,
        MemorySize: 512,
        ReservedConcurrentExecutions: 3,
        Environment: { Variables: { TABLE_REPORTS: 'reports', POWERTOOLS_SERVICE_NAME: 'health' } },
      });
    });

    it('rejects a handler name that is not kebab-case', () => {
      expect(() => build({ handlerName: 'ReportsApi' })).toThrow(/kebab-case/);
    });

    it('rejects a handler without a file when it has to bundle', () => {
      expect(() => build({ handlerName: 'no-such-handler', codeOverride: undefined })).toThrow(/No handler file/);
    });

    it('rejects copyIntoBundle paths outside the project', () => {
      expect(() => build({ copyIntoBundle: ['../secrets'] })).toThrow(/project-relative/);
    });

    it('rejects memory outside Lambda limits', () => {
      expect(() => build({ memorySize: 64 })).toThrow(/memorySize/);
    });
  });
});
