import { parsePublication, type Publication } from './core/shared/publication';

/**
 * Configuration read once at cold start. Every getter throws on a missing value so a misconfigured function
 * fails on its first invocation with a clear message instead of misbehaving later.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

let publication: Publication | undefined;

/** The publication settings (cdk.json context `dispatch`), handed to every function as JSON. */
export function loadPublication(): Publication {
  publication ??= parsePublication(JSON.parse(requireEnv('DISPATCH_PUBLICATION')) as unknown);
  return publication;
}

export const tableName = (envSuffix: string): string => requireEnv(`TABLE_${envSuffix}`);
