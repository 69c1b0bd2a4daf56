import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  decideAccess,
  generateEditorToken,
  hashToken,
  type EditorRecord,
} from '../../lambdas/core/editors/editor-tokens';

const token = generateEditorToken();
const editor: EditorRecord = {
  tokenHash: hashToken(token),
  editorId: 'E1',
  name: 'Ann',
  role: 'editor',
  createdAt: '2026-11-24T00:00:00Z',
};

describe('editor tokens', () => {
  it('carry a recognisable prefix and 256 random bits, and are stored only as a SHA-256 hash', () => {
    expect(token).toMatch(/^dsp_ed_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice('dsp_ed_'.length), 'base64url')).toHaveLength(32);
    expect(editor.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(generateEditorToken()).not.toBe(token);
  });

  it('parses only a well-formed Bearer header', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    for (const header of [undefined, '', 'Bearer', 'Basic abc', `bearer${token}`, `Bearer ${token} extra`]) {
      expect(bearerToken(header)).toBeUndefined();
    }
  });

  it('decides 401 for unknown or malformed tokens, 403 for revoked or under-privileged, allow otherwise', () => {
    expect(decideAccess(undefined, editor, 'editor').outcome).toBe('unauthenticated');
    expect(decideAccess('dsp_ed_short', editor, 'editor').outcome).toBe('unauthenticated');
    expect(decideAccess(generateEditorToken(), editor, 'editor').outcome).toBe('unauthenticated');
    expect(decideAccess(token, undefined, 'editor').outcome).toBe('unauthenticated');
    expect(decideAccess(token, editor, 'admin').outcome).toBe('forbidden');
    expect(decideAccess(token, { ...editor, revokedAt: '2026-11-25T00:00:00Z' }, 'editor').outcome).toBe('forbidden');
    expect(decideAccess(token, editor, 'editor').outcome).toBe('allow');
    expect(decideAccess(token, { ...editor, role: 'admin' }, 'admin').outcome).toBe('allow');
  });
});
