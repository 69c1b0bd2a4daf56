import { build } from 'esbuild';
const r = await build({ entryPoints: ['lambdas/handlers/reports-api.ts'], bundle: true, platform: 'node', target: 'node24', format: 'esm', mainFields: ['module','main'], minify: true, external: ['@aws-sdk/*'], write: false, metafile: true, outdir: '/tmp/x', absWorkingDir: '/work/main' });
const parents = new Map();
for (const [p, i] of Object.entries(r.metafile.inputs)) for (const imp of i.imports) { if (!parents.has(imp.path)) parents.set(imp.path, p); }
for (const target of process.argv.slice(2)) { let cur = Object.keys(r.metafile.inputs).find(p => p.includes(target)); const chain=[cur]; while (parents.has(cur) && chain.length < 15) { cur = parents.get(cur); chain.push(cur); } console.log(chain.join('\n  <- ')); }
