import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
export const DEFAULT_DATA_DIR = '.dispatch';

export interface CliConfig {
  apiUrl: string;
  token: string | undefined;
  /** Where the token came from, so errors and --help can say it. */
  tokenSource: 'env' | 'file' | 'none';
  tokenFile: string;
  debug: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Empty variables count as unset: `DISPATCH_TOKEN= npx dispatch ...` should not send `Bearer `. */
function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function resolveConfig(env: Env, cwd: string): CliConfig {
  const tokenFile = resolve(cwd, setting(env, 'DISPATCH_DATA_DIR') ?? DEFAULT_DATA_DIR, 'admin-token');
  const debug = setting(env, 'DISPATCH_DEBUG') === '1';
  const apiUrl = (setting(env, 'DISPATCH_API_URL') ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const envToken = setting(env, 'DISPATCH_TOKEN');
  if (envToken) return { apiUrl, token: envToken, tokenSource: 'env', tokenFile, debug };
  // The local stack writes an admin token on first start; using it makes `npm start` + `npx dispatch` just work.
  const token = readTokenFile(tokenFile);
  if (token) return { apiUrl, token, tokenSource: 'file', tokenFile, debug };
  return { apiUrl, token: undefined, tokenSource: 'none', tokenFile, debug };
}

/** An unreadable token file is treated like a missing one: the request then fails with a 401 that says what to do. */
function readTokenFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
