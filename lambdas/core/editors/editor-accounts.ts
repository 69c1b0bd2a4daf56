import type { z } from 'zod';
import type { newEditorSchema } from './editor-input';
import type { EditorRecord } from './editor-tokens';
import { issueEditor, type IssuedEditor } from './editors';

/** What managing editors needs from storage; the DynamoDB editors store implements it. */
export interface EditorAccountsRepository {
  create(editor: EditorRecord): Promise<void>;
  /** False when no editor has this id. */
  revoke(editorId: string, revokedAt: string): Promise<boolean>;
}

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
