import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';

const tokens = new SubscriberTokens('k'.repeat(48));
const id = ulid(Date.parse('2026-11-01T00:00:00Z'));
const now = new Date('2026-11-24T09:00:00Z');

describe('subscriber tokens', () => {
  it('round-trips each purpose with its claims', () => {
    expect(tokens.verify(tokens.unsubscribeToken(id), 'unsubscribe', now)).toEqual({
      ok: true,
      claims: { purpose: 'unsubscribe', subscriberId: id },
    });
    expect(tokens.verify(tokens.feedToken(id, 3), 'feed', now)).toEqual({
      ok: true,
      claims: { purpose: 'feed', subscriberId: id, feedTokenVersion: 3 },
    });
    const confirm = tokens.verify(tokens.confirmToken(id, 0, now), 'confirm', now);
    expect(confirm.ok && confirm.claims.expiresAt.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('never carries the email address and is URL-safe', () => {
    const token = tokens.confirmToken(id, 0, now);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(token).not.toContain('@');
  });

  it('rejects a token signed with another key, or with any character changed', () => {
    const forged = new SubscriberTokens('z'.repeat(48)).unsubscribeToken(id);
    expect(tokens.verify(forged, 'unsubscribe', now)).toEqual({ ok: false, reason: 'forged' });
    const genuine = tokens.feedToken(id, 0);
    const tampered = genuine.replace('.0.', '.1.');
    expect(tokens.verify(tampered, 'feed', now)).toEqual({ ok: false, reason: 'forged' });
    const otherId = tokens.unsubscribeToken(id).replace(id, ulid());
    expect(tokens.verify(otherId, 'unsubscribe', now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects malformed input without throwing', () => {
    for (const value of [undefined, '', 'abc', 'u.x.0.y', `${tokens.unsubscribeToken(id)}x`, 'u..0.'.padEnd(80, 'a')]) {
      expect(tokens.verify(value, 'unsubscribe', now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('rejects a confirmation token after seven days', () => {
    const token = tokens.confirmToken(id, 0, now);
    expect(tokens.verify(token, 'confirm', new Date(now.getTime() + 7 * 86_400_000 - 1000)).ok).toBe(true);
    expect(tokens.verify(token, 'confirm', new Date(now.getTime() + 7 * 86_400_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('keeps unsubscribe tokens valid for years', () => {
    expect(tokens.verify(tokens.unsubscribeToken(id), 'unsubscribe', new Date('2031-01-01T00:00:00Z')).ok).toBe(true);
  });

  it('refuses a token used for another purpose', () => {
    expect(tokens.verify(tokens.confirmToken(id, 0, now), 'unsubscribe', now)).toEqual({
      ok: false,
      reason: 'wrong-purpose',
    });
    expect(tokens.verify(tokens.unsubscribeToken(id), 'feed', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(tokens.verify(tokens.feedToken(id, 0), 'confirm', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('carries the feed version, so bumping the subscriber’s version revokes older URLs', () => {
    const check = tokens.verify(tokens.feedToken(id, 1), 'feed', now);
    const storedVersion = 2;
    expect(check.ok && check.claims.feedTokenVersion === storedVersion).toBe(false);
  });

  it('carries the status version a confirmation link was minted at; older links read as unversioned', () => {
    const check = tokens.verify(tokens.confirmToken(id, 7, now), 'confirm', now);
    expect(check.ok && check.claims.statusVersion).toBe(7);
    // The shape issued before versions existed: `c.{id}.{expiry}.{signature}`, signed the same way.
    const legacyExtra = String(Math.floor(now.getTime() / 1000) + 3600);
    const legacy = (tokens as unknown as { sign(p: string, s: string, e: string): string }).sign(
      'confirm',
      id,
      legacyExtra,
    );
    const legacyCheck = tokens.verify(legacy, 'confirm', now);
    expect(legacyCheck.ok && legacyCheck.claims.statusVersion).toBe('unversioned');
  });

  it('refuses a signed unsubscribe or feed token that carries a version', () => {
    const signer = tokens as unknown as { sign(p: string, s: string, e: string): string };
    expect(tokens.verify(signer.sign('unsubscribe', id, '0-1'), 'unsubscribe', now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(tokens.verify(signer.sign('feed', id, '0-1'), 'feed', now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('mints manage tokens that never expire, open nothing else, and are opened by nothing else', () => {
    const manage = tokens.manageToken(id);
    expect(manage).toMatch(new RegExp(`^g\\.${id}\\.0\\.[\\w-]{43}$`));
    expect(tokens.verify(manage, 'manage', new Date('2036-01-01T00:00:00Z'))).toEqual({
      ok: true,
      claims: { purpose: 'manage', subscriberId: id },
    });
    expect(tokens.verify(manage, 'unsubscribe', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(tokens.verify(manage, 'feed', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(tokens.verify(tokens.unsubscribeToken(id), 'manage', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(tokens.verify(new SubscriberTokens('z'.repeat(48)).manageToken(id), 'manage', now)).toEqual({
      ok: false,
      reason: 'forged',
    });
    const signer = tokens as unknown as { sign(p: string, s: string, e: string): string };
    expect(tokens.verify(signer.sign('manage', id, '0-1'), 'manage', now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a short secret and a subscriber id that is not a ULID', () => {
    expect(() => new SubscriberTokens('short')).toThrow(/32/);
    expect(() => tokens.unsubscribeToken('reader@example.org')).toThrow(/ULID/);
  });
});

describe('member sign-in and session tokens', () => {
  const signer = tokens as unknown as { sign(p: string, s: string, e: string): string };

  it('round-trips a sign-in link (15 minutes) and a session (30 days) with their versions', () => {
    const signIn = tokens.verify(tokens.signInToken(id, 4, now), 'sign-in', now);
    expect(signIn).toEqual({
      ok: true,
      claims: { purpose: 'sign-in', subscriberId: id, expiresAt: new Date('2026-11-24T09:15:00Z'), signInVersion: 4 },
    });
    const session = tokens.verify(tokens.sessionToken(id, 2, now), 'session', now);
    expect(session).toEqual({
      ok: true,
      claims: {
        purpose: 'session',
        subscriberId: id,
        expiresAt: new Date('2026-12-24T09:00:00Z'),
        memberSessionVersion: 2,
      },
    });
  });

  it('expires a sign-in link after 15 minutes and a session after 30 days', () => {
    const link = tokens.signInToken(id, 0, now);
    expect(tokens.verify(link, 'sign-in', new Date(now.getTime() + 15 * 60_000 - 1000)).ok).toBe(true);
    expect(tokens.verify(link, 'sign-in', new Date(now.getTime() + 15 * 60_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    const session = tokens.sessionToken(id, 0, now);
    expect(tokens.verify(session, 'session', new Date(now.getTime() + 30 * 86_400_000 - 1000)).ok).toBe(true);
    expect(tokens.verify(session, 'session', new Date(now.getTime() + 30 * 86_400_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses a forged or tampered sign-in link or session', () => {
    const other = new SubscriberTokens('z'.repeat(48));
    expect(tokens.verify(other.signInToken(id, 0, now), 'sign-in', now)).toEqual({ ok: false, reason: 'forged' });
    expect(tokens.verify(other.sessionToken(id, 0, now), 'session', now)).toEqual({ ok: false, reason: 'forged' });
    // A later expiry or another version, keeping the signature: the signature no longer matches.
    const session = tokens.sessionToken(id, 0, now);
    const [code, subscriber, extra = '', signature] = session.split('.');
    const [expiry = ''] = extra.split('-');
    expect(tokens.verify(`${code}.${subscriber}.${expiry}-1.${signature}`, 'session', now)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(tokens.verify(`${code}.${subscriber}.${Number(expiry) + 86_400}-0.${signature}`, 'session', now)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('never takes one purpose for another: a sign-in link is no session, a session no sign-in link', () => {
    expect(tokens.verify(tokens.signInToken(id, 0, now), 'session', now)).toEqual({
      ok: false,
      reason: 'wrong-purpose',
    });
    expect(tokens.verify(tokens.sessionToken(id, 0, now), 'sign-in', now)).toEqual({
      ok: false,
      reason: 'wrong-purpose',
    });
    expect(tokens.verify(tokens.confirmToken(id, 0, now), 'session', now)).toEqual({
      ok: false,
      reason: 'wrong-purpose',
    });
    expect(tokens.verify(tokens.feedToken(id, 0), 'session', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('refuses a signed sign-in link or session without a version', () => {
    const expiry = String(Math.floor(now.getTime() / 1000) + 600);
    expect(tokens.verify(signer.sign('sign-in', id, expiry), 'sign-in', now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(tokens.verify(signer.sign('session', id, expiry), 'session', now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('is URL- and cookie-safe and never carries the address', () => {
    for (const token of [tokens.signInToken(id, 12, now), tokens.sessionToken(id, 3, now)]) {
      expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(token).not.toContain('@');
    }
  });
});
