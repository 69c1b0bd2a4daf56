import { describe, expect, it } from 'vitest';
import {
  applyAdminUpdate,
  CONFIRMATION_COOLDOWN_MS,
  decideConfirm,
  decideSignUp,
  decideUnsubscribe,
  emailSchema,
  feedEligibility,
  mailableTier,
  memberSessionVersionOf,
  type Subscriber,
  withTier,
} from '../../lambdas/core/subscribers/subscribers';

const now = new Date('2026-11-24T09:00:00Z');
const later = new Date(now.getTime() + CONFIRMATION_COOLDOWN_MS + 1);
const subscriber = (overrides: Partial<Subscriber> = {}): Subscriber => ({
  email: 'reader@example.org',
  subscriberId: '01JD0000000000000000000000',
  tier: 'free',
  status: 'active',
  feedTokenVersion: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

describe('email validation', () => {
  it('trims and lowercases the whole address', () => {
    expect(emailSchema.parse('  Ann.Lee@Example.ORG ')).toBe('ann.lee@example.org');
  });

  it.each([
    '',
    'plain',
    'a@b',
    'a b@example.org',
    '@example.org',
    'a@@example.org',
    `${'x'.repeat(65)}@example.org`,
    `a@${'d'.repeat(250)}.org`,
  ])('rejects %j', (value) => {
    expect(emailSchema.safeParse(value).success).toBe(false);
  });
});

describe('sign-up', () => {
  it('creates a pending free subscriber for a new address', () => {
    const decision = decideSignUp(undefined, 'reader@example.org', '01JD0000000000000000000001', now);
    expect(decision).toMatchObject({
      action: 'create',
      subscriber: { status: 'pending', tier: 'free', feedTokenVersion: 0 },
    });
  });

  it('never downgrades or resets an active subscriber, free or paid', () => {
    for (const tier of ['free', 'paid'] as const) {
      expect(decideSignUp(subscriber({ tier }), 'reader@example.org', 'x', later)).toEqual({
        action: 'none',
        reason: 'already-active',
      });
    }
  });

  it('sends no mail to bounced or complained addresses', () => {
    for (const status of ['bounced', 'complained'] as const) {
      expect(decideSignUp(subscriber({ status }), 'reader@example.org', 'x', later)).toMatchObject({
        action: 'none',
        reason: 'suppressed',
      });
    }
  });

  it('resends a confirmation to a pending or unsubscribed address once per cooldown', () => {
    const pending = subscriber({ status: 'pending', confirmationSentAt: now.toISOString() });
    expect(decideSignUp(pending, pending.email, 'x', new Date(now.getTime() + 1000))).toMatchObject({
      action: 'none',
      reason: 'cooldown',
    });
    expect(decideSignUp(pending, pending.email, 'x', later)).toMatchObject({
      action: 'resend',
      subscriber: { status: 'pending' },
    });
    const gone = subscriber({ status: 'unsubscribed', tier: 'paid' });
    expect(decideSignUp(gone, gone.email, 'x', later)).toMatchObject({
      action: 'resend',
      subscriber: { status: 'unsubscribed', tier: 'paid' },
    });
  });
});

describe('confirm and unsubscribe', () => {
  it('activates pending and unsubscribed subscribers with the tier they have', () => {
    expect(decideConfirm(subscriber({ status: 'pending' }), 0, now)).toMatchObject({
      action: 'activate',
      subscriber: { status: 'active', tier: 'free' },
    });
    expect(decideConfirm(subscriber({ status: 'unsubscribed', tier: 'paid' }), 0, now)).toMatchObject({
      action: 'activate',
      subscriber: { status: 'active', tier: 'paid' },
    });
    expect(decideConfirm(subscriber(), 0, now)).toEqual({ action: 'none', reason: 'already-active' });
    expect(decideConfirm(subscriber({ status: 'complained' }), 0, now)).toEqual({
      action: 'refuse',
      reason: 'suppressed',
    });
  });

  it('ignores a confirmation link minted before a later status change', () => {
    // Confirmed (version 1), then unsubscribed (version 2): the link from the first mail says 0.
    const unsubscribed = subscriber({ status: 'unsubscribed', statusVersion: 2 });
    expect(decideConfirm(unsubscribed, 0, now)).toEqual({ action: 'refuse', reason: 'stale' });
    expect(decideConfirm(unsubscribed, 2, now)).toMatchObject({
      action: 'activate',
      subscriber: { status: 'active', statusVersion: 3 },
    });
    // Links from before versions existed confirm only a reader who never changed status.
    expect(decideConfirm(subscriber({ status: 'pending' }), 'unversioned', now).action).toBe('activate');
    expect(decideConfirm(subscriber({ status: 'unsubscribed' }), 'unversioned', now)).toEqual({
      action: 'refuse',
      reason: 'stale',
    });
  });

  it('retires older feed URLs whenever a reader stops being active, and old confirmation links on any change', () => {
    const left = decideUnsubscribe(subscriber({ feedTokenVersion: 4, statusVersion: 1 }), now);
    expect(left).toMatchObject({ subscriber: { feedTokenVersion: 5, statusVersion: 2 } });
    const back = applyAdminUpdate(
      subscriber({ status: 'unsubscribed', feedTokenVersion: 5, statusVersion: 2 }),
      'reader@example.org',
      { status: 'active' },
      'x',
      now,
    );
    expect(back).toMatchObject({ status: 'active', feedTokenVersion: 5, statusVersion: 3 });
    const tierOnly = applyAdminUpdate(back, 'reader@example.org', { tier: 'paid' }, 'x', now);
    expect(tierOnly).toMatchObject({ feedTokenVersion: 5, statusVersion: 3 });
  });

  it('unsubscribes active and pending readers and leaves suppressed ones as they are', () => {
    expect(decideUnsubscribe(subscriber(), now)).toMatchObject({
      action: 'unsubscribe',
      subscriber: { status: 'unsubscribed' },
    });
    expect(decideUnsubscribe(subscriber({ status: 'bounced' }), now)).toEqual({ action: 'none' });
    expect(decideUnsubscribe(subscriber({ status: 'unsubscribed' }), now)).toEqual({ action: 'none' });
  });
});

describe('administration and eligibility', () => {
  it('creates imported subscribers active (no opt-in) and changes only what is given', () => {
    expect(applyAdminUpdate(undefined, 'new@example.org', {}, '01JD0000000000000000000002', now)).toMatchObject({
      status: 'active',
      tier: 'free',
    });
    expect(
      applyAdminUpdate(subscriber({ tier: 'paid' }), 'reader@example.org', { status: 'unsubscribed' }, 'x', now),
    ).toMatchObject({
      tier: 'paid',
      status: 'unsubscribed',
      statusReason: 'admin',
    });
  });

  it('bumps the feed token version only when asked', () => {
    expect(
      applyAdminUpdate(subscriber({ feedTokenVersion: 2 }), 'reader@example.org', { tier: 'paid' }, 'x', now)
        .feedTokenVersion,
    ).toBe(2);
    expect(
      applyAdminUpdate(subscriber({ feedTokenVersion: 2 }), 'reader@example.org', { rotateFeedToken: true }, 'x', now)
        .feedTokenVersion,
    ).toBe(3);
  });

  it('gives private feeds to active paid subscribers and mail to active ones', () => {
    expect(feedEligibility(subscriber({ tier: 'paid' }))).toBe('eligible');
    expect(feedEligibility(subscriber())).toBe('not-paid');
    expect(feedEligibility(subscriber({ tier: 'paid', status: 'bounced' }))).toBe('not-active');
    expect(mailableTier(subscriber({ tier: 'paid' }))).toBe('paid');
    expect(mailableTier(subscriber({ status: 'complained' }))).toBeUndefined();
    expect(mailableTier(undefined)).toBeUndefined();
  });
});

describe('member session revocation', () => {
  const paid = subscriber({ tier: 'paid', memberSessionVersion: 3 });
  const admin = (from: Subscriber, update: Parameters<typeof applyAdminUpdate>[2]) =>
    memberSessionVersionOf(applyAdminUpdate(from, from.email, update, 'x', now));

  it('moves the session version on when the tier leaves paid (every cookie dies)', () => {
    expect(admin(paid, { tier: 'free' })).toBe(4);
    expect(memberSessionVersionOf(withTier(paid, 'free'))).toBe(4);
  });

  it('moves it on when the status leaves active, whatever the tier', () => {
    expect(admin(paid, { status: 'unsubscribed' })).toBe(4);
    expect(admin(subscriber({ memberSessionVersion: 1 }), { status: 'bounced' })).toBe(2);
    const decision = decideUnsubscribe(paid, now);
    expect(decision.action === 'unsubscribe' && memberSessionVersionOf(decision.subscriber)).toBe(4);
  });

  it('moves it on for a change that does both at once', () => {
    expect(admin(paid, { tier: 'free', status: 'unsubscribed' })).toBeGreaterThan(3);
  });

  it('leaves it when nothing is taken away: an upgrade, a repeat, a rotated feed', () => {
    expect(admin(subscriber({ memberSessionVersion: 3 }), { tier: 'paid' })).toBe(3);
    expect(admin(paid, { tier: 'paid', status: 'active' })).toBe(3);
    expect(admin(paid, { rotateFeedToken: true })).toBe(3);
    expect(admin(subscriber({ status: 'unsubscribed', memberSessionVersion: 3 }), { status: 'active' })).toBe(3);
  });

  it('reads an absent version as 0', () => {
    expect(memberSessionVersionOf(subscriber())).toBe(0);
    expect(admin(subscriber({ tier: 'paid' }), { tier: 'free' })).toBe(1);
  });
});
