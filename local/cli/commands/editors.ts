import type { EditorRole } from '../api-client';
import type { CommandContext } from '../context';
import { formatPairs, formatTable } from '../output';

export async function createEditor(ctx: CommandContext, name: string, role: EditorRole): Promise<void> {
  const editor = await ctx.client().createEditor({ name, role });
  // The token on stdout (so it can be captured), the warning on stderr (so capturing it does not swallow the warning).
  ctx.io.stdout.write(
    formatPairs([
      ['id', editor.id],
      ['role', role],
      ['token', editor.token],
    ]),
  );
  ctx.io.stderr.write('warning: the token is shown only this once; store it now (the server keeps only a hash)\n');
}

export async function revokeEditor(ctx: CommandContext, id: string): Promise<void> {
  await ctx.client().revokeEditor(id);
  ctx.io.stdout.write(`revoked editor ${id}: its token no longer works\n`);
}

export async function listEditors(ctx: CommandContext): Promise<void> {
  const editors = await ctx.client().listEditors();
  ctx.io.stdout.write(
    formatTable(
      ['id', 'role', 'createdAt', 'revokedAt', 'name'],
      editors.map((editor) => [editor.id, editor.role, editor.createdAt, editor.revokedAt ?? '-', editor.name]),
    ),
  );
}
