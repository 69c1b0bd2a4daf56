import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
const plugin = { name: 'zodns', setup(b) { b.onLoad({ filter: /\/lambdas\/.*\.ts$/ }, async (a) => ({ contents: (await readFile(a.path, 'utf8')).replace(/import \{ z \} from 'zod';/g, "import * as z from 'zod';"), loader: 'ts' })); } };
const r = await build({ entryPoints: ['lambdas/handlers/reports-api.ts'], bundle: true, platform: 'node', target: 'node24', format: 'esm', mainFields: ['module','main'], minify: true, external: ['@aws-sdk/*'], metafile: true, outfile: 'test/bench/.out/zodns/index.mjs', absWorkingDir: '/work/main', plugins: [plugin], banner: { js: "import { createRequire as __dispatchCreateRequire } from 'node:module'; const require = __dispatchCreateRequire(import.meta.url);" } });
const out = Object.values(r.metafile.outputs).find(o => o.entryPoint);
const zod = Object.entries(out.inputs).filter(([p]) => p.includes('zod')).reduce((s,[,i])=>s+i.bytesInOutput,0);
console.log('total', (out.bytes/1024).toFixed(1), 'KB; zod', (zod/1024).toFixed(1), 'KB');
