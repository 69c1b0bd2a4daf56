import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './errors';

/** Reads a file named on the command line; a missing or unreadable file is a usage error, not a stack trace. */
export async function readInputFile(cwd: string, file: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : code;
    throw new UsageError(`cannot read ${file}: ${reason ?? 'unreadable'}`);
  }
}
