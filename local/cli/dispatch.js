#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx dispatch` works from a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main();
