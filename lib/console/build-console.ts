import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { Publication } from '../../lambdas/core/shared/publication';

/**
 * Builds the editor console (`templates/console/`) into a directory of static files for the site bucket under
 * `console/`: the shell `index.html` and content-hashed assets under `assets/`. The CDK app deploys the directory
 * with a BucketDeployment, the local stack uploads it to s3rver; both serve it from the same keys, so the local
 * gateway answers `/console/` exactly as CloudFront does.
 */
export const CONSOLE_SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates', 'console');
/** Where the console lives in the site bucket and under the site's URL. */
export const CONSOLE_KEY_PREFIX = 'console/';
/** The shell is read on every visit (it names the current assets); assets never change under their name. */
export const SHELL_CACHE_CONTROL = 'no-store';
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** What the console learns about the publication at build time: nothing secret, only what its form needs. */
export interface ConsoleSettings {
  name: string;
  series: { id: string; name: string }[];
}

export const consoleSettings = (publication: Publication): ConsoleSettings => ({
  name: publication.name,
  series: publication.series.map(({ id, name }) => ({ id, name })),
});

export interface ConsoleFile {
  /** Relative to the build directory and to `console/` in the bucket, e.g. `assets/app-3F2A….js`. */
  path: string;
  contentType: string;
  cacheControl: string;
}

export interface ConsoleBuild {
  outDir: string;
  files: ConsoleFile[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Bundles and minifies the app and its stylesheet with esbuild (synchronously: CDK constructs are built
 * synchronously), names each asset by its content hash and writes a shell that references them. `outDir` is
 * emptied first. The publication's name and series are compiled in, so a changed series list changes the hash.
 */
export function buildConsole(outDir: string, settings: ConsoleSettings): ConsoleBuild {
  rmSync(outDir, { recursive: true, force: true });
  const assetsDir = join(outDir, 'assets');
  mkdirSync(assetsDir, { recursive: true });
  const result = buildSync({
    entryPoints: { app: join(CONSOLE_SOURCE_DIR, 'app', 'main.tsx'), console: join(CONSOLE_SOURCE_DIR, 'console.css') },
    bundle: true,
    minify: true,
    format: 'esm',
    // Code used by one rare action (the CSV import reuses the CLI's reader, zod and all) loads only when used.
    splitting: true,
    target: ['es2022'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(CONSOLE_SOURCE_DIR, 'tsconfig.json'),
    define: { DISPATCH_CONSOLE_SETTINGS: JSON.stringify(settings) },
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    outdir: assetsDir,
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const entries = new Map<string, string>();
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint !== undefined) entries.set(meta.entryPoint, output.slice(output.lastIndexOf('/') + 1));
  }
  const files: ConsoleFile[] = [];
  for (const output of result.outputFiles) {
    const name = output.path.slice(assetsDir.length + 1);
    writeFileSync(output.path, output.contents);
    files.push({ path: `assets/${name}`, contentType: contentType(extname(name)), cacheControl: ASSET_CACHE_CONTROL });
  }
  const entryFile = (source: string): string | undefined => {
    const name = [...entries].find(([entryPoint]) => entryPoint.endsWith(source))?.[1];
    return name === undefined ? undefined : `/${CONSOLE_KEY_PREFIX}assets/${name}`;
  };
  const script = entryFile('app/main.tsx');
  const stylesheet = entryFile('console.css');
  if (script === undefined || stylesheet === undefined)
    throw new Error('The console build wrote no script or stylesheet');

  // The shell names its two assets by absolute path, so `/console` and `/console/` resolve them alike.
  const shell = readFileSync(join(CONSOLE_SOURCE_DIR, 'index.html'), 'utf8')
    .replace('href="console.css"', `href="${stylesheet}"`)
    .replace('src="app/main.tsx"', `src="${script}"`);
  if (!shell.includes(stylesheet) || !shell.includes(script)) {
    throw new Error('templates/console/index.html must reference console.css and app/main.tsx');
  }
  writeFileSync(join(outDir, 'index.html'), shell);
  files.push({ path: 'index.html', contentType: contentType('.html'), cacheControl: SHELL_CACHE_CONTROL });
  return { outDir, files };
}

function contentType(extension: string): string {
  const type = CONTENT_TYPES[extension];
  if (type === undefined) throw new Error(`The console build wrote a ${extension} file, which it cannot serve`);
  return type;
}
