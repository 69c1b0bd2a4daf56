import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Editor API tokens: 256 random bits behind a recognisable prefix (so secret scanners and humans spot a leaked
 * one), shown once, stored only as a SHA-256 hash.
 */
export const EDITOR_TOKEN_PREFIX = 'dsp_ed_';
const TOKEN_PATTERN = /^dsp_ed_[A-Za-z0-9_-]{43}$/;

export const ROLES = ['admin', 'editor'] as const;
export type Role = (typeof ROLES)[number];

export interface EditorRecord {
  tokenHash: string;
  editorId: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt?: string;
}

export function generateEditorToken(): string {
  return EDITOR_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeEditorToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** `Bearer <token>` → token; anything else → undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer ([^\s]+)$/.exec(authorization?.trim() ?? '');
  return match?.[1];
}

/** Compares hex digests in constant time, so the check itself leaks nothing about a stored hash. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

export type AccessDecision = { outcome: 'allow'; editor: EditorRecord } | { outcome: 'unauthenticated' | 'forbidden' };

/** The whole authorisation rule; the authorizer only fetches the record and maps the outcome. */
export function decideAccess(
  presentedToken: string | undefined,
  stored: EditorRecord | undefined,
  required: 'public' | Role,
): AccessDecision {
  if (!presentedToken || !looksLikeEditorToken(presentedToken) || !stored) return { outcome: 'unauthenticated' };
  if (!sameHash(hashToken(presentedToken), stored.tokenHash)) return { outcome: 'unauthenticated' };
  if (stored.revokedAt) return { outcome: 'forbidden' };
  if (required === 'admin' && stored.role !== 'admin') return { outcome: 'forbidden' };
  return { outcome: 'allow', editor: stored };
}
