import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DispatchFunctionName, FUNCTION_NAMES } from '../../lambdas/app-model';

/**
 * What `cdk synth` left in `cdk.out`, read as plain JSON: the stacks' templates and, for every
 * `AWS::Lambda::Function`, the asset directory its code was bundled into. No aws-cdk-lib here, so the bench can
 * import the bundle sizes without loading the CDK.
 */

/** A CloudFormation value as it appears in a template: a literal or an intrinsic function object. */
export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, TemplateValue>;
  readonly Metadata?: Record<string, TemplateValue>;
}

export interface TemplateOutput {
  readonly Value: TemplateValue;
  readonly Export?: { readonly Name: TemplateValue };
}

export interface StackTemplate {
  readonly stackName: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  readonly outputs: Readonly<Record<string, TemplateOutput>>;
}

export interface CloudAssembly {
  readonly dir: string;
  readonly stacks: readonly StackTemplate[];
}

/** One synthesized Lambda function and the facts a Lambda execution environment takes from its resource. */
export interface SynthesizedFunction {
  /** The app model's name (the construct sets `POWERTOOLS_SERVICE_NAME` to it). */
  readonly name: DispatchFunctionName;
  readonly stackName: string;
  readonly logicalId: string;
  /** Absolute path of the bundled asset (`Metadata['aws:asset:path']`). */
  readonly assetDir: string;
  /** `index.handler`: module file (without extension) and export. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** `LoggingConfig.LogFormat` (Lambda hands it on as `AWS_LAMBDA_LOG_FORMAT`). */
  readonly logFormat: string | undefined;
  /** `Environment.Variables` as synthesized: literals and intrinsic functions. */
  readonly environment: Readonly<Record<string, TemplateValue>>;
}

interface Manifest {
  artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
}

interface RawTemplate {
  Resources?: Record<string, TemplateResource>;
  Outputs?: Record<string, TemplateOutput>;
}

export function readCloudAssembly(dir: string): CloudAssembly {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`No cloud assembly in ${dir}: run \`npx cdk synth --quiet\` first`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([stackName, artifact]): StackTemplate => {
      const templateFile = artifact.properties?.templateFile;
      if (templateFile === undefined) throw new Error(`Stack ${stackName} has no template file in the manifest`);
      const template = JSON.parse(readFileSync(join(dir, templateFile), 'utf8')) as RawTemplate;
      return { stackName, resources: template.Resources ?? {}, outputs: template.Outputs ?? {} };
    });
  if (stacks.length === 0) throw new Error(`The cloud assembly in ${dir} holds no stack`);
  return { dir, stacks };
}

const isFunctionName = (value: unknown): value is DispatchFunctionName =>
  typeof value === 'string' && (FUNCTION_NAMES as readonly string[]).includes(value);

function stringProperty(resource: TemplateResource, key: string, logicalId: string): string {
  const value = resource.Properties?.[key];
  if (typeof value !== 'string') throw new Error(`${logicalId}: ${key} is not a literal string`);
  return value;
}

function numberProperty(resource: TemplateResource, key: string, fallback: number): number {
  const value = resource.Properties?.[key];
  return typeof value === 'number' ? value : fallback;
}

/**
 * CDK's own provider functions (the console's BucketDeployment, a Python handler CDK ships and tests): not ours to
 * bundle, and not run here.
 */
export const CDK_PROVIDER_PREFIXES = ['CustomCDKBucketDeployment'] as const;

/** Every `AWS::Lambda::Function` of the assembly, checked against the app model: one function per catalog entry. */
export function synthesizedFunctions(assembly: CloudAssembly): SynthesizedFunction[] {
  const functions: SynthesizedFunction[] = [];
  for (const stack of assembly.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      if (CDK_PROVIDER_PREFIXES.some((prefix) => logicalId.startsWith(prefix))) continue;
      const variables = (resource.Properties?.Environment as { Variables?: Record<string, TemplateValue> } | undefined)
        ?.Variables;
      const name = variables?.POWERTOOLS_SERVICE_NAME;
      if (!isFunctionName(name)) {
        throw new Error(
          `${stack.stackName}/${logicalId}: POWERTOOLS_SERVICE_NAME ${String(name)} names no app-model function`,
        );
      }
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string') throw new Error(`${name}: no aws:asset:path metadata (is it bundled?)`);
      const assetDir = join(assembly.dir, assetPath);
      if (!existsSync(assetDir)) throw new Error(`${name}: asset ${assetDir} is missing`);
      const logging = resource.Properties?.LoggingConfig as { LogFormat?: unknown } | undefined;
      functions.push({
        name,
        stackName: stack.stackName,
        logicalId,
        assetDir,
        handler: stringProperty(resource, 'Handler', logicalId),
        runtime: stringProperty(resource, 'Runtime', logicalId),
        // CloudFormation's defaults when the property is absent.
        timeoutSeconds: numberProperty(resource, 'Timeout', 3),
        memoryMb: numberProperty(resource, 'MemorySize', 128),
        logFormat: typeof logging?.LogFormat === 'string' ? logging.LogFormat : undefined,
        environment: variables ?? {},
      });
    }
  }
  const synthesized = functions.map((fn) => fn.name);
  const missing = FUNCTION_NAMES.filter((name) => !synthesized.includes(name));
  const twice = synthesized.filter((name, index) => synthesized.indexOf(name) !== index);
  if (missing.length > 0) throw new Error(`The app model's ${missing.join(', ')} were not synthesized`);
  if (twice.length > 0) throw new Error(`Synthesized more than once: ${twice.join(', ')}`);
  return functions;
}

/** The stack and resource a logical id names, in the stack that holds it. */
export function resourceIn(assembly: CloudAssembly, stackName: string, logicalId: string): TemplateResource {
  const resource = assembly.stacks.find((stack) => stack.stackName === stackName)?.resources[logicalId];
  if (resource === undefined) throw new Error(`${stackName} has no resource ${logicalId}`);
  return resource;
}
