import { readFileSync } from 'node:fs';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '/work/main/lib/build-app';
const cdkJson = JSON.parse(readFileSync('/work/main/cdk.json', 'utf8')) as { context: Record<string, unknown> };
let t = Date.now();
const { app } = buildApp({ context: cdkJson.context, codeOverride: () => Code.fromInline('export const handler = async () => {};') });
console.log('construct', Date.now() - t); t = Date.now();
const r = new AwsSolutionsChecks(undefined, {}).validateScope(app);
console.log('nag', Date.now() - t, r.violations.length); t = Date.now();
try { app.synth(); } catch (e) { console.log('synth err', (e as Error).message.slice(0, 200)); }
console.log('synth', Date.now() - t);
