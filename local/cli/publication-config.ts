import { readFile } from 'node:fs/promises';
import { parsePublication, type Publication } from '../../lambdas/core/publication';
import { UsageError } from './errors';

/**
 * The publication settings the dry run validates against: cdk.json → context.dispatch of this checkout, the same
 * source the local stack and the CDK app read, so a series missing here is missing there too.
 */
export const CDK_JSON_URL = new URL('../../cdk.json', import.meta.url);

export async function loadPublication(url: URL = CDK_JSON_URL): Promise<Publication> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(url, 'utf8')) as unknown;
  } catch (error) {
    throw new UsageError(
      `cannot read publication settings from ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const context = raw && typeof raw === 'object' && 'context' in raw ? raw.context : undefined;
  const settings = context && typeof context === 'object' && 'dispatch' in context ? context.dispatch : undefined;
  if (settings === undefined) throw new UsageError(`${url.pathname} has no context.dispatch publication settings`);
  try {
    return parsePublication(settings);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error));
  }
}
