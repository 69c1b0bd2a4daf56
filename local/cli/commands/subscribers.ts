import type { ReaderTier } from '../../../lambdas/core/shared/reader-tier';
import type { SubscriberPage } from '../api-client';
import { forEachConcurrent } from '../concurrency';
import type { CommandContext } from '../context';
import { ApiError, CommandFailed, UsageError } from '../errors';
import { formatTable } from '../output';
import { ProgressBar } from '../progress';
import { readInputFile } from '../read-input';
import { isEmail, readSubscriberCsv, type RejectedRow } from '../subscriber-csv';

/** Enough to overlap round trips without leaning on the API's per-client throttling. */
export const IMPORT_CONCURRENCY = 4;

function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (!isEmail(trimmed)) throw new UsageError(`not a valid email address: ${email}`);
  return trimmed;
}

export async function addSubscriber(ctx: CommandContext, email: string, tier: ReaderTier): Promise<void> {
  const address = checkEmail(email);
  await ctx.client().putSubscriber(address, { tier, status: 'active' });
  ctx.io.stdout.write(`${address}: ${tier}, active\n`);
}

/**
 * Sets the series an existing reader receives: `series` ids, or null for every series (later ones too). Checks
 * first that the address subscribes, since the admin PUT would otherwise create it as a new active reader.
 */
export async function setSeries(ctx: CommandContext, email: string, series: string[] | null): Promise<void> {
  const address = checkEmail(email);
  const client = ctx.client();
  const normalised = address.toLowerCase();
  const { items } = await client.listSubscribers({ q: normalised, limit: 1 });
  if (items[0]?.email !== normalised) {
    throw new CommandFailed(`no subscriber has the address ${address}; add it first with \`subscribers add\``);
  }
  await client.putSubscriber(address, { series });
  ctx.io.stdout.write(`${address}: ${seriesText(series)}\n`);
}

/** How a reader's series read in the CLI's output. */
export function seriesText(series: readonly string[] | null | undefined): string {
  if (series === null || series === undefined) return 'every series';
  return series.length === 0 ? 'no series (no digest)' : series.join(', ');
}

export const DEFAULT_SUBSCRIBER_LIMIT = 50;

/** Subscribers in address order, those starting with `prefix` if given; `--all` follows every page. */
export async function listSubscribers(
  ctx: CommandContext,
  options: { prefix?: string; limit: number; all?: boolean },
): Promise<void> {
  const client = ctx.client();
  const rows: SubscriberPage['items'] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listSubscribers({
      ...(options.prefix ? { q: options.prefix } : {}),
      limit: options.all ? 100 : Math.min(100, options.limit - rows.length),
      cursor,
    });
    rows.push(...page.items);
    // A server that hands back the same cursor would otherwise keep us here forever.
    cursor = page.nextCursor && page.nextCursor !== cursor ? page.nextCursor : undefined;
  } while (cursor && (options.all || rows.length < options.limit));
  if (rows.length === 0) {
    ctx.io.stdout.write('no subscribers\n');
    return;
  }
  ctx.io.stdout.write(
    formatTable(
      ['email', 'tier', 'status', 'createdAt', 'series'],
      rows.map((row) => [
        row.email,
        row.tier,
        row.status,
        row.createdAt,
        row.series === null || row.series === undefined ? 'all' : row.series.join(',') || 'none',
      ]),
    ),
  );
  if (cursor) ctx.io.stderr.write(`showing ${rows.length}; more subscribers exist: use --all or a larger --limit\n`);
}

export async function feedUrl(ctx: CommandContext, email: string): Promise<void> {
  ctx.io.stdout.write(`${await ctx.client().feedUrl(checkEmail(email))}\n`);
}

export async function importSubscribers(ctx: CommandContext, file: string): Promise<void> {
  const text = await readInputFile(ctx.cwd, file);
  let parsed: ReturnType<typeof readSubscriberCsv>;
  try {
    parsed = readSubscriberCsv(text);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  const { rows } = parsed;
  const rejected: RejectedRow[] = [...parsed.rejected];
  const client = ctx.client();
  const progress = new ProgressBar(ctx.io.stderr, 'importing', rows.length);
  let imported = 0;
  let finished = 0;
  if (rows.length > 0) progress.update(0);

  try {
    await forEachConcurrent(rows, IMPORT_CONCURRENCY, async (row) => {
      try {
        const { tier, status, series } = row;
        await client.putSubscriber(row.email, { tier, status, ...(series === undefined ? {} : { series }) });
        imported += 1;
      } catch (error) {
        // A bad token fails every row the same way: stop instead of repeating one error for the whole list.
        if (!(error instanceof ApiError) || error.status === 401 || error.status === 403) throw error;
        rejected.push({ line: row.line, value: row.email, reason: error.toLine() });
      } finally {
        finished += 1;
        progress.update(finished);
      }
    });
  } catch (error) {
    progress.finish();
    ctx.io.stdout.write(`stopped after importing ${imported} of ${rows.length}; re-running the import is safe\n`);
    throw error;
  }
  progress.finish();

  ctx.io.stdout.write(`imported ${imported}, rejected ${rejected.length}\n`);
  for (const row of rejected.sort((a, b) => a.line - b.line)) {
    ctx.io.stdout.write(`  line ${row.line}: ${row.value || '(empty)'}: ${row.reason}\n`);
  }
  if (rejected.length > 0) throw new CommandFailed();
}
