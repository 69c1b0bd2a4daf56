import type { OutputStream } from './progress';

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}

/** `key  value` lines with aligned values: readable, and still easy to grep or `awk '{print $2}'`. */
export function formatPairs(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const shown = pairs.filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined);
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  return shown.map(([key, value]) => `${key.padEnd(width)}  ${value}\n`).join('');
}

/** A plain-text table; the last column is left unpadded so long titles do not drag trailing spaces along. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(headers), ...rows.map(render)].map((row) => `${row}\n`).join('');
}
