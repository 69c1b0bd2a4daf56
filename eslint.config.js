import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The core (lambdas/core) is pure domain code: it must not reach the HTTP edge, the adapters, the handlers, the
 * renderers, the local stack, the CDK app, config or the route table, nor any AWS or I/O package. Checked here,
 * not left to review; test/unit/core-boundary.test.ts proves the rule still fires.
 */
const CORE_BOUNDARY_MESSAGE =
  'The core is pure: depend on a port it owns, and let a handler or adapter supply the outside world.';
const coreBoundary = {
  files: ['lambdas/core/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        // Exact package names here: a gitignore-style `group` would also match any relative path with such a segment.
        paths: ['aws-lambda', 'aws-cdk-lib', 'constructs', 'fs', 'http', 'https', 'http2'].flatMap((name) =>
          [name, `node:${name}`].map((path) => ({ name: path, message: CORE_BOUNDARY_MESSAGE })),
        ),
        patterns: [
          {
            // A relative path that climbs out of the wing and names a directory or module outside the core.
            regex:
              '^(?:\\.\\./)+(?:lambdas/)?(?:http|events|wiring|adapters|handlers|render|local|lib|config|routes)(?:/|\\.[jt]s$|$)',
            message: CORE_BOUNDARY_MESSAGE,
          },
          {
            regex: '^(?:@aws-sdk/|@aws-lambda-powertools/|@smithy/|aws-cdk-lib/|(?:node:)?fs/)',
            message: CORE_BOUNDARY_MESSAGE,
          },
        ],
      },
    ],
    // A dynamic import or require would walk around the rule above.
    'no-restricted-syntax': [
      'error',
      { selector: 'ImportExpression', message: CORE_BOUNDARY_MESSAGE },
      { selector: "CallExpression[callee.name='require']", message: CORE_BOUNDARY_MESSAGE },
    ],
  },
};

/**
 * The editor console (templates/console) runs in editors' browsers and is only a client of the HTTP API: it never
 * imports server code (lambdas, lib, local), Node built-ins or AWS packages, and keeps zod out of its bundle.
 */
const CONSOLE_BOUNDARY_MESSAGE =
  'The console is a browser client of the HTTP API: call a route through templates/console/app/api.ts instead.';
const consoleBoundary = {
  files: ['templates/console/**/*.{ts,tsx}'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: '^(?:\\.\\./)+(?:lambdas|lib|local|test)(?:/|$)', message: CONSOLE_BOUNDARY_MESSAGE },
          {
            regex: '^(?:node:|@aws-sdk/|@aws-lambda-powertools/|@smithy/|aws-cdk-lib|constructs$|zod)',
            message: CONSOLE_BOUNDARY_MESSAGE,
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.dispatch/', 'coverage/', 'test/bench/.out/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  coreBoundary,
  consoleBoundary,
);
