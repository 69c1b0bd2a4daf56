import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The core's purity is enforced by the ESLint config; these tests lint snippets as if they sat in the core, so a
 * config edit that silently disables the rule (a wrong glob, a later override) fails here.
 */
const root = join(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });
const coreFile = join(root, 'lambdas/core/reports/boundary-probe.ts');

async function boundaryViolations(code: string, filePath = coreFile): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports' || message.ruleId === 'no-restricted-syntax')
    .map((message) => message.ruleId ?? '');
}

describe('the core boundary lint rule', () => {
  it('rejects a core module importing an adapter', async () => {
    expect(await boundaryViolations("import { logger } from '../../adapters/logger';\nlogger.info('x');\n")).toEqual([
      'no-restricted-imports',
    ]);
  });

  it('rejects a type-only import from the HTTP edge', async () => {
    expect(
      await boundaryViolations("import type { ApiEvent } from '../../http/api';\nexport type E = ApiEvent;\n"),
    ).toEqual(['no-restricted-imports']);
  });

  it('rejects the route table and config modules', async () => {
    const code = "export { ROUTES } from '../../routes';\nexport { requireEnv } from '../../config';\n";
    expect(await boundaryViolations(code)).toEqual(['no-restricted-imports', 'no-restricted-imports']);
  });

  it('rejects an AWS SDK package', async () => {
    expect(
      await boundaryViolations("import { S3Client } from '@aws-sdk/client-s3';\nexport const s3 = new S3Client();\n"),
    ).toEqual(['no-restricted-imports']);
  });

  it('rejects file and network I/O and Powertools', async () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import { request } from 'node:http';",
      "import { Logger } from '@aws-lambda-powertools/logger';",
      'export const probe = [readFileSync, request, Logger];',
      '',
    ].join('\n');
    expect(await boundaryViolations(code)).toEqual(Array(3).fill('no-restricted-imports'));
  });

  it('rejects a dynamic import, which would walk around the import rule', async () => {
    expect(await boundaryViolations("export const load = () => import('../../adapters/logger');\n")).toEqual([
      'no-restricted-syntax',
    ]);
  });

  it('accepts a sibling core module, another wing and a pure package', async () => {
    const code = [
      "import { ulid } from 'ulid';",
      "import { slugFromTitle } from './slug';",
      "import { NotFoundError } from '../shared/errors';",
      'export const probe = [ulid, slugFromTitle, NotFoundError];',
      '',
    ].join('\n');
    expect(await boundaryViolations(code)).toEqual([]);
  });

  it('leaves code outside the core alone', async () => {
    const handlerFile = join(root, 'lambdas/handlers/boundary-probe.ts');
    expect(
      await boundaryViolations("import { logger } from '../adapters/logger';\nlogger.info('x');\n", handlerFile),
    ).toEqual([]);
  });
});
