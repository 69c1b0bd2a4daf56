import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Browser tests of the editor console (`npm run test:browser`): Chromium driven by playwright-core against a
 * local stack. Kept out of `npm test`, which must run without a browser; CI installs Debian's chromium first.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One browser at a time: the machines these run on have two cores.
    fileParallelism: false,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
  },
});
