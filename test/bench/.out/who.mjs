import { build } from 'esbuild';
const r = await build({ entryPoints: ['lambdas/handlers/reports-api.ts'], bundle: true, platform: 'node', target: 'node24', format: 'esm', mainFields: ['module','main'], minify: true, external: ['@aws-sdk/*'], write: false, metafile: true, outdir: '/tmp/x', absWorkingDir: '/work/main' });
for (const [p, i] of Object.entries(r.metafile.inputs)) {
  for (const imp of i.imports) if (/entities\/lib\/(index|esm\/index)|dayjs|source-map-js\/source-map\.js|zod\/index|zod\/v4\/classic\/external/.test(imp.path)) console.log(p, '->', imp.path, imp.kind);
}
