import { ulid } from 'ulid';
import { generateEditorToken, hashToken, type EditorRecord, type Role } from './editor-tokens';

export interface IssuedEditor {
  record: EditorRecord;
  /** The only time the plaintext token exists outside the caller's hands. */
  token: string;
}

export function issueEditor(name: string, role: Role, now: Date): IssuedEditor {
  const token = generateEditorToken();
  return {
    token,
    record: { tokenHash: hashToken(token), editorId: ulid(now.getTime()), name, role, createdAt: now.toISOString() },
  };
}
