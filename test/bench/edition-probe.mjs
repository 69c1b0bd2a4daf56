// The edition benchmark's preload (see edition-probe.ts), as `node --import tsx --import <this file>`. Worker
// threads inherit both imports but not tsx's loader hooks (as local/function-worker.mjs notes): register them
// here in a worker, then load the TypeScript probe.
import { isMainThread } from 'node:worker_threads';

if (!isMainThread) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./edition-probe.ts');
