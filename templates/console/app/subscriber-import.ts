import { ApiError, type ApiClient, type ReaderTier } from './api';

/** What the CLI's reader (`local/cli/subscriber-csv.ts`) makes of a file. */
export interface ImportRow {
  line: number;
  email: string;
  tier: ReaderTier;
  status: 'active' | 'unsubscribed';
  /** Only with a `series` column: the ids, or null for every series. */
  series?: string[] | null;
}

export interface RejectedRow {
  line: number;
  value: string;
  reason: string;
}

/** As `dispatch subscribers import`: enough to overlap round trips without leaning on the API's throttling. */
export const IMPORT_CONCURRENCY = 4;

/**
 * Reads a subscriber CSV with exactly the CLI's rules (header names, defaults, duplicates, the line numbers a
 * person sees), by running the CLI's own reader in the browser. It brings zod along, so it is loaded only when
 * an import starts. A file that cannot be read as intended (a bad header) throws with the CLI's sentence.
 */
export async function readSubscriberFile(
  text: string,
  knownSeries?: readonly string[],
): Promise<{ rows: ImportRow[]; rejected: RejectedRow[] }> {
  const { readSubscriberCsv } = await import('../../../local/cli/subscriber-csv');
  // The console knows the configured series (compiled in), so a row naming another is rejected before any PUT.
  return readSubscriberCsv(text, knownSeries === undefined ? {} : { knownSeries });
}

export interface ImportProgress {
  done: number;
  imported: number;
  rejected: RejectedRow[];
}

/**
 * PUTs each row as the CLI does, a few at a time, reporting progress after each. A row the API refuses is
 * rejected with the API's sentence; a refused token (401, 403) stops the whole import, since every row would
 * fail the same way. Re-running an import is safe: each PUT sets the same tier, status and series again.
 */
export async function importRows(
  api: ApiClient,
  rows: readonly ImportRow[],
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportProgress> {
  const progress: ImportProgress = { done: 0, imported: 0, rejected: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next];
      next += 1;
      if (row === undefined) return;
      try {
        const { tier, status, series } = row;
        await api.putSubscriber(row.email, { tier, status, ...(series === undefined ? {} : { series }) });
        progress.imported += 1;
      } catch (error) {
        if (!(error instanceof ApiError) || error.status === 0 || error.status === 401 || error.status === 403) {
          throw error;
        }
        progress.rejected.push({ line: row.line, value: row.email, reason: error.message });
      } finally {
        progress.done += 1;
        onProgress({ ...progress, rejected: [...progress.rejected] });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, rows.length) }, worker));
  return progress;
}
