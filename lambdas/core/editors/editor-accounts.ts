import type { z } from 'zod';
import type { newEditorSchema } from './editor-input';
import type { EditorRecord } from './editor-tokens';
import { issueEditor, type IssuedEditor } from './editors';

/** What managing editors needs from storage; the DynamoDB editors store implements it. */
export interface EditorAccountsRepository {
  create(editor: EditorRecord): Promise<void>;
  /** False when no editor has this id. */
  revoke(editorId: string, revokedAt: string): Promise<boolean>;
  /** Every editor, revoked ones included, in any order. */
  list(): Promise<EditorRecord[]>;
}

/** An editor as the admins' list shows it: never the token, never its hash. */
export function editorSummary(editor: EditorRecord) {
  return {
    id: editor.editorId,
    name: editor.name,
    role: editor.role,
    createdAt: editor.createdAt,
    ...(editor.revokedAt ? { revokedAt: editor.revokedAt } : {}),
  };
}

/**
 * Every editor, oldest first (ties by id). Not paged: a newsroom has tens of editors, and the list is read whole
 * by the admins' console.
 */
export async function listEditors(store: Pick<EditorAccountsRepository, 'list'>) {
  const editors = await store.list();
  return editors
    .map(editorSummary)
    .sort((a, b) => (a.createdAt === b.createdAt ? compare(a.id, b.id) : compare(a.createdAt, b.createdAt)));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A new editor with a fresh token, stored by its hash; the plaintext token is returned once, here. */
export async function createEditor(
  store: EditorAccountsRepository,
  input: z.infer<typeof newEditorSchema>,
  now: Date,
): Promise<IssuedEditor> {
  const issued = issueEditor(input.name, input.role, now);
  await store.create(issued.record);
  return issued;
}

/** Revokes the editor's token from now on; false when no editor has this id. */
export function revokeEditor(store: EditorAccountsRepository, editorId: string, now: Date): Promise<boolean> {
  return store.revoke(editorId, now.toISOString());
}
