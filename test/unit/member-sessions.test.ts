import { describe, expect, it, vi } from 'vitest';
import { MemberSessions } from '../../lambdas/core/members/member-sessions';
import type { MemberRecords, VersionCounter } from '../../lambdas/core/members/ports';
import {
  decideSignInMail,
  SIGN_IN_MAIL_WINDOW_MS,
  SIGN_IN_MAILS_PER_WINDOW,
  SignInDesk,
  SignInMailer,
} from '../../lambdas/core/members/sign-in';
import { SendRejectedError, SendUnavailableError, type OutgoingMail } from '../../lambdas/core/digest/outgoing-mail';
import { publication } from '../fixtures/digest-edition';
import { InvalidInputError } from '../../lambdas/core/shared/errors';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import type { Subscriber } from '../../lambdas/core/subscribers/subscribers';

const now = new Date('2026-11-24T09:00:00Z');
const tokens = new SubscriberTokens('k'.repeat(48));
const reader = (overrides: Partial<Subscriber> = {}): Subscriber => ({
  email: 'reader@example.org',
  subscriberId: '01JD0000000000000000000000',
  tier: 'paid',
  status: 'active',
  feedTokenVersion: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

/** One subscriber in memory, with the store's conditional version update. */
class FakeRecords implements MemberRecords {
  constructor(public stored: Subscriber | undefined) {}
  async get() {
    return this.stored;
  }
  async getBySubscriberId(id: string) {
    return this.stored?.subscriberId === id ? this.stored : undefined;
  }
  async save(next: Subscriber) {
    this.stored = next;
    return true;
  }
  async advanceVersion(_email: string, counter: VersionCounter, expected: number, at: Date) {
    if (!this.stored || (this.stored[counter] ?? 0) !== expected) return false;
    this.stored = { ...this.stored, [counter]: expected + 1, updatedAt: at.toISOString() };
    return true;
  }
}

describe('member sessions', () => {
  it('signs in once per link: the second use of the same link, and any older link, fails as used', async () => {
    const records = new FakeRecords(reader({ signInVersion: 2 }));
    const sessions = new MemberSessions(records, tokens);
    const older = tokens.signInToken(records.stored!.subscriberId, 1, now);
    const link = tokens.signInToken(records.stored!.subscriberId, 2, now);
    expect(await sessions.checkLink(older, now)).toEqual({ ok: false, reason: 'used' });
    expect((await sessions.checkLink(link, now)).ok).toBe(true);
    const first = await sessions.signIn(link, now);
    expect(first.ok).toBe(true);
    expect(records.stored?.signInVersion).toBe(3);
    expect(await sessions.signIn(link, now)).toEqual({ ok: false, reason: 'used' });
  });

  it('checking a link changes nothing (mail scanners open links)', async () => {
    const records = new FakeRecords(reader());
    const advance = vi.spyOn(records, 'advanceVersion');
    await new MemberSessions(records, tokens).checkLink(tokens.signInToken(records.stored!.subscriberId, 0, now), now);
    expect(advance).not.toHaveBeenCalled();
  });

  it('refuses a link of a reader who is no longer active, and an expired or forged one', async () => {
    const records = new FakeRecords(reader({ status: 'unsubscribed' }));
    const sessions = new MemberSessions(records, tokens);
    const id = records.stored!.subscriberId;
    expect(await sessions.signIn(tokens.signInToken(id, 0, now), now)).toEqual({ ok: false, reason: 'invalid' });
    records.stored = reader();
    const late = new Date(now.getTime() + 16 * 60_000);
    expect(await sessions.signIn(tokens.signInToken(id, 0, now), late)).toEqual({ ok: false, reason: 'expired' });
    const forged = new SubscriberTokens('z'.repeat(48)).signInToken(id, 0, now);
    expect(await sessions.signIn(forged, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('gives a paid reader paid access, a free one none, and a revoked or forged cookie nobody', async () => {
    const records = new FakeRecords(reader({ memberSessionVersion: 1 }));
    const sessions = new MemberSessions(records, tokens);
    const id = records.stored!.subscriberId;
    const cookie = tokens.sessionToken(id, 1, now);
    expect(await sessions.member(cookie, now)).toMatchObject({ kind: 'reader', paid: true });
    expect(await sessions.member(tokens.sessionToken(id, 0, now), now)).toEqual({ kind: 'anonymous' });
    expect(await sessions.member(new SubscriberTokens('z'.repeat(48)).sessionToken(id, 1, now), now)).toEqual({
      kind: 'anonymous',
    });
    records.stored = reader({ tier: 'free', memberSessionVersion: 1 });
    expect(await sessions.member(cookie, now)).toMatchObject({ kind: 'reader', paid: false });
    expect(await sessions.member(undefined, now)).toEqual({ kind: 'anonymous' });
  });

  it('signs out by moving the session version on, so a copy of the cookie dies too', async () => {
    const records = new FakeRecords(reader());
    const sessions = new MemberSessions(records, tokens);
    const cookie = tokens.sessionToken(records.stored!.subscriberId, 0, now);
    expect(await sessions.signOut(cookie, now)).toBe(records.stored?.subscriberId);
    expect(records.stored?.memberSessionVersion).toBe(1);
    expect(await sessions.member(cookie, now)).toEqual({ kind: 'anonymous' });
    expect(await sessions.signOut(cookie, now)).toBeUndefined();
  });
});

describe('sign-in mails', () => {
  it('go to active subscribers of any tier, at most 5 in any 15 minutes, and to nobody else', () => {
    expect(decideSignInMail(reader({ tier: 'free' }), now).action).toBe('send');
    expect(decideSignInMail(undefined, now)).toEqual({ action: 'none', reason: 'unknown' });
    expect(decideSignInMail(reader({ status: 'pending' }), now)).toEqual({ action: 'none', reason: 'not-active' });
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    // Asking again a second later is answered: the first mail may be slow, or a script signs in once per test.
    const once = decideSignInMail(reader({ signInMailsSentAt: [ago(1000)] }), now);
    expect(once.action === 'send' && once.subscriber.signInMailsSentAt).toEqual([ago(1000), now.toISOString()]);
    const full = [5, 4, 3, 2, 1].map((minutes) => ago(minutes * 60_000));
    expect(decideSignInMail(reader({ signInMailsSentAt: full }), now)).toEqual({ action: 'none', reason: 'cooldown' });
    // The oldest leaves the window: one more goes, and the record keeps only the window's sends.
    const aged = [ago(SIGN_IN_MAIL_WINDOW_MS), ...full.slice(1)];
    const decision = decideSignInMail(reader({ signInMailsSentAt: aged }), now);
    expect(decision.action === 'send' && decision.subscriber.signInMailsSentAt).toEqual([
      ...full.slice(1),
      now.toISOString(),
    ]);
    expect(SIGN_IN_MAILS_PER_WINDOW).toBe(5);
  });

  it('are mailed each time a reader asks within the allowance, and a mail that did not go does not count', async () => {
    const records = new FakeRecords(reader());
    const sent: OutgoingMail[] = [];
    let failWith: Error | undefined;
    const mailer = {
      send: async (mail: OutgoingMail) => {
        if (failWith) throw failWith;
        sent.push(mail);
        return { messageId: `m${sent.length}` };
      },
    };
    const signIns = new SignInMailer(records, tokens, mailer, publication);
    const message = { kind: 'sign-in' as const, email: 'reader@example.org' };
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(await signIns.process(message, at(0))).toBe('send');
    expect(await signIns.process(message, at(1))).toBe('send');
    expect(sent.map((mail) => mail.to)).toEqual(['reader@example.org', 'reader@example.org']);

    failWith = new SendUnavailableError('SES unreachable');
    await expect(signIns.process(message, at(2))).rejects.toThrow('SES unreachable');
    failWith = new SendRejectedError('address refused');
    expect(await signIns.process(message, at(3))).toBe('send');
    expect(records.stored?.signInMailsSentAt).toEqual([at(0).toISOString(), at(1).toISOString()]);

    failWith = undefined;
    for (const second of [4, 5, 6]) expect(await signIns.process(message, at(second))).toBe('send');
    expect(await signIns.process(message, at(7))).toBe('none');
    expect(sent).toHaveLength(5);
  });

  it('are asked for with the same message whatever the address; an unsafe next is dropped', async () => {
    const send = vi.fn(async () => undefined);
    const desk = new SignInDesk({ send });
    await desk.accept({ email: ' Reader@Example.org ', next: '//evil.com' });
    await desk.accept({ email: 'nobody@example.org', next: '/members/reports/a/' });
    expect(send.mock.calls).toEqual([
      [{ kind: 'sign-in', email: 'reader@example.org' }],
      [{ kind: 'sign-in', email: 'nobody@example.org', next: '/members/reports/a/' }],
    ]);
    await expect(desk.accept({ email: 'not-an-address' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(desk.accept({ email: 'a@example.org', extra: 1 })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
