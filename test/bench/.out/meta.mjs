import { build } from 'esbuild';
const r = await build({ entryPoints: ['lambdas/handlers/reports-api.ts'], bundle: true, platform: 'node', target: 'node24', format: 'esm', mainFields: ['module','main'], minify: true, external: ['@aws-sdk/*'], write: false, metafile: true, outdir: '/tmp/x', absWorkingDir: '/work/main' });
const out = Object.values(r.metafile.outputs)[0];
const rows = Object.entries(out.inputs).map(([p, i]) => [p, i.bytesInOutput]).sort((a,b)=>b[1]-a[1]);
const zod = rows.filter(([p]) => p.includes('zod'));
console.log('zod files', zod.length, 'locales bytes', zod.filter(([p])=>p.includes('locales')).reduce((s,[,b])=>s+b,0), 'total zod', zod.reduce((s,[,b])=>s+b,0));
console.log(rows.slice(0,25).map(r=>r.join(' ')).join('\n'));
