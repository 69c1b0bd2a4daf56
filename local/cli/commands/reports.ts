import type { ReportRow } from '../api-client';
import type { CommandContext } from '../context';
import { formatTable } from '../output';

export const DEFAULT_LIST_LIMIT = 20;

export interface ListOptions {
  limit?: number;
  all?: boolean;
}

export async function listReports(ctx: CommandContext, options: ListOptions): Promise<void> {
  const client = ctx.client();
  const wanted = options.all ? Number.POSITIVE_INFINITY : (options.limit ?? DEFAULT_LIST_LIMIT);
  const rows: ReportRow[] = [];
  let cursor: string | undefined;
  do {
    const remaining = wanted - rows.length;
    const page = await client.listReports({
      limit: Number.isFinite(remaining) ? remaining : options.limit,
      cursor,
    });
    rows.push(...page.items);
    // A server that hands back the same cursor would otherwise keep us here forever.
    cursor = page.nextCursor && page.nextCursor !== cursor ? page.nextCursor : undefined;
  } while (cursor && rows.length < wanted);

  const shown = rows.slice(0, wanted);
  if (shown.length === 0) {
    ctx.io.stdout.write('no reports\n');
    return;
  }
  ctx.io.stdout.write(
    formatTable(
      ['id', 'slug', 'tier', 'state', 'revision', 'publishAt', 'title'],
      shown.map((row) => [
        row.id,
        row.slug,
        row.tier ?? '',
        row.state ?? '',
        row.revision === undefined ? '' : `r${row.revision}`,
        row.publishAt ?? '',
        row.title ?? '',
      ]),
    ),
  );
  if (cursor || rows.length > shown.length) {
    ctx.io.stderr.write(`showing ${shown.length}; more reports exist: use --all or a larger --limit\n`);
  }
}

export async function unpublish(ctx: CommandContext, id: string): Promise<void> {
  await ctx.client().unpublishReport(id);
  ctx.io.stdout.write(`unpublished ${id}: it is gone from every public feed and page\n`);
}
