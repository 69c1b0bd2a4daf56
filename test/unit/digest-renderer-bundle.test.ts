import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Lambda layout differs from the source tree: one index.mjs, and templates/ beside it only because the
 * function construct copies them there (commandHooks.afterBundling). This bundles the renderer the way the
 * construct must (ESM, node20, createRequire banner for MJML's CommonJS, typescript external) and runs it
 * outside the repo, where no node_modules can be found.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));

const entry = `
import { compileEdition, personalise, mjmlCompileCount } from './lambdas/render/digest-renderer';
import { fixtureEdition, publication } from './test/fixtures/digest-edition';
const compiled = await compileEdition(fixtureEdition('paid'), publication);
const mail = personalise(JSON.parse(JSON.stringify(compiled)), {
  unsubscribeUrl: 'https://u.example/x?a=1&b=2',
  feedUrl: 'https://f.example/private/rss.xml',
  manageUrl: 'https://m.example/manage?token=t',
});
console.log(JSON.stringify({ compiles: mjmlCompileCount(), subject: mail.subject, html: mail.html, text: mail.text }));
`;

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dispatch-digest-bundle-'));
  await build({
    stdin: { contents: entry, resolveDir: repo, loader: 'ts', sourcefile: 'bundle-entry.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'index.mjs'),
    mainFields: ['module', 'main'],
    minify: true,
    // cosmiconfig (via MJML's htmlnano) can load TypeScript config files; we never give it one, and
    // bundling the compiler would add 3.5 MB. The run below proves it is never required.
    external: ['typescript'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = () =>
  execFileSync(process.execPath, [join(dir, 'index.mjs')], {
    cwd: tmpdir(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('digest renderer bundled by esbuild', () => {
  it('fails with a clear message when the templates were not copied next to the bundle', () => {
    expect(run).toThrow(/Digest templates not found/);
  });

  it('renders and personalises an edition once templates/ sits beside index.mjs', () => {
    cpSync(join(repo, 'templates'), join(dir, 'templates'), { recursive: true, filter: (src) => !src.endsWith('.ts') });
    const result = JSON.parse(run()) as { compiles: number; subject: string; html: string; text: string };
    expect(result.compiles).toBe(1);
    expect(result.subject).toMatch(/^Lantern Desk — /);
    expect(result.html).toContain('href="https://u.example/x?a=1&amp;b=2"');
    expect(result.text).toContain('https://f.example/private/rss.xml');
  }, 30_000);

  it('stays within a reasonable Lambda bundle size', () => {
    expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(5 * 1024 * 1024);
  });
});
