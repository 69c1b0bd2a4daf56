import { existsSync, readFileSync } from 'node:fs';

/**
 * Where the MJML templates live. vitest and tsx cannot import `.mjml` as text, so the files are read at
 * run time. Two layouts exist:
 *  - the source tree (vitest, tsx, the local stack): this file is lambdas/render/, the templates are ../../templates/;
 *  - a Lambda bundle: esbuild puts everything in one index.mjs, and the function construct's
 *    `commandHooks.afterBundling` copies templates/ next to it, so they are ./templates/.
 * The bundle must be ESM (`format: OutputFormat.ESM`): CommonJS bundles have no import.meta.url.
 */
const CANDIDATE_DIRS = ['./templates/', '../../templates/'];

export const PARTIAL_NAMES = [
  'masthead',
  'complimentary-section',
  'subscriber-section',
  'report-block',
  'short-report',
  'program-blurb',
  'footer',
] as const;

export interface DigestTemplateSources {
  digest: string;
  partials: Record<(typeof PARTIAL_NAMES)[number], string>;
}

export function templatesDir(base: string | URL = import.meta.url): URL {
  for (const candidate of CANDIDATE_DIRS) {
    const dir = new URL(candidate, base);
    if (existsSync(new URL('digest.mjml', dir))) return dir;
  }
  throw new Error(
    `Digest templates not found in ${CANDIDATE_DIRS.map((dir) => new URL(dir, base).pathname).join(' or ')}`,
  );
}

export function loadDigestTemplates(dir: URL = templatesDir()): DigestTemplateSources {
  const read = (path: string) => readFileSync(new URL(path, dir), 'utf8');
  const partials = Object.fromEntries(PARTIAL_NAMES.map((name) => [name, read(`partials/${name}.mjml`)]));
  return { digest: read('digest.mjml'), partials: partials as DigestTemplateSources['partials'] };
}
