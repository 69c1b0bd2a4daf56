import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DispatchFunctionName } from '../../lambdas/app-model';
import { readCloudAssembly, synthesizedFunctions } from './cloud-assembly';

export interface BundleSize {
  readonly name: DispatchFunctionName;
  /** The handler module (`index.mjs`) alone: what Node parses at cold start. */
  readonly bundleKB: number;
  /** Everything the asset ships (bundle, source map, copied templates): what the deployment package holds. */
  readonly assetKB: number;
}

const kilobytes = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;

function directoryBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((total, entry) => {
    const path = join(dir, entry.name);
    return total + (entry.isDirectory() ? directoryBytes(path) : statSync(path).size);
  }, 0);
}

/** The handler file Lambda loads for `index.handler`: `index.mjs`, else `index.js` or `index.cjs`. */
export function handlerModuleFile(assetDir: string, handler: string): string {
  const moduleName = handler.slice(0, handler.lastIndexOf('.'));
  const files = new Set(readdirSync(assetDir));
  const file = ['.mjs', '.js', '.cjs'].map((extension) => moduleName + extension).find((name) => files.has(name));
  if (file === undefined) throw new Error(`No ${moduleName}.mjs, .js or .cjs for handler ${handler} in ${assetDir}`);
  return join(assetDir, file);
}

/** Per-function bundle sizes of a synthesized app, largest first. */
export function bundleSizes(cdkOutDir = 'cdk.out'): BundleSize[] {
  return synthesizedFunctions(readCloudAssembly(cdkOutDir))
    .map((fn) => ({
      name: fn.name,
      bundleKB: kilobytes(statSync(handlerModuleFile(fn.assetDir, fn.handler)).size),
      assetKB: kilobytes(directoryBytes(fn.assetDir)),
    }))
    .sort((a, b) => b.bundleKB - a.bundleKB);
}

/** The bench's `largestBundleKB`: the largest handler module of any synthesized function. */
export function largestBundleKB(cdkOutDir = 'cdk.out'): { name: DispatchFunctionName; bundleKB: number } {
  const [largest] = bundleSizes(cdkOutDir);
  if (largest === undefined) throw new Error(`No bundled function in ${cdkOutDir}`);
  return { name: largest.name, bundleKB: largest.bundleKB };
}
