import { z } from 'zod';
import { READER_TIERS, type ReaderTier } from '../shared/reader-tier';
import { seriesIdsSchema, withSeries } from './series-preferences';

/**
 * The subscriber model and every rule about a subscriber's state. Pure: the service applies these decisions
 * to storage, the handlers map them to HTTP.
 */
export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** Addresses we must not mail again on a stranger's say-so: only an operator may lift these. */
export const SUPPRESSED_STATUSES: readonly SubscriberStatus[] = ['bounced', 'complained'];

export interface Subscriber {
  /** Normalised address; the table key. */
  email: string;
  /** Opaque ULID that tokens carry instead of the address. */
  subscriberId: string;
  tier: ReaderTier;
  status: SubscriberStatus;
  /**
   * Part of every feed token; bumping it revokes all private feed URLs issued before. It goes up when an admin
   * rotates it and whenever the reader stops being active, so a URL from before they left stays dead if they
   * come back.
   */
  feedTokenVersion: number;
  /**
   * Goes up with every status change; confirmation links carry the value they were minted with and do nothing
   * once it moved on. Absent on records from before it existed: read it with {@link statusVersionOf}.
   */
  statusVersion?: number;
  /**
   * Member sign-in links carry it; signing in moves it on (a conditional update), so a link works once and every
   * link mailed before dies with it. Absent = 0: read it with {@link signInVersionOf}.
   */
  signInVersion?: number;
  /**
   * Member session cookies carry it; it goes up on logout and whenever the reader stops being an active paid
   * subscriber ({@link withStatus}, {@link withTier}), which revokes every cookie issued before. Absent = 0: read it
   * with {@link memberSessionVersionOf}.
   */
  memberSessionVersion?: number;
  /**
   * When the sign-in links of the last 15 minutes went out, oldest first: a login past the
   * allowance mails nothing. (Records from before it may still carry a `signInSentAt`, which nothing reads.)
   */
  signInMailsSentAt?: string[];
  createdAt: string;
  updatedAt: string;
  /** When the last confirmation mail went out; repeat sign-ups inside the cooldown send nothing. */
  confirmationSentAt?: string;
  confirmedAt?: string;
  unsubscribedAt?: string;
  /** Why a subscriber stopped receiving mail (`bounce`, `complaint`, `one-click`, `manage-page`, `admin`). */
  statusReason?: string;
  /**
   * The series this reader receives: absent means every series, including ones configured later (the default);
   * a list means exactly those; an empty list means none (still subscribed, but no digest). Read it with
   * `readerSeries` (series-preferences.ts).
   */
  series?: string[];
}

/** The API view: everything except what only the service needs. */
export function subscriberView(subscriber: Subscriber) {
  return {
    email: subscriber.email,
    subscriberId: subscriber.subscriberId,
    tier: subscriber.tier,
    status: subscriber.status,
    feedTokenVersion: subscriber.feedTokenVersion,
    createdAt: subscriber.createdAt,
    updatedAt: subscriber.updatedAt,
    ...(subscriber.confirmedAt ? { confirmedAt: subscriber.confirmedAt } : {}),
    ...(subscriber.statusReason ? { statusReason: subscriber.statusReason } : {}),
    /** `null`: every series, including later ones (what `PUT … {"series": null}` sets). */
    series: subscriber.series ?? null,
  };
}

/** RFC 5321 limits: 254 characters in all, 64 before the @. */
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

/**
 * Trims and lowercases the whole address. The local part is case-sensitive on paper, but no provider we mail
 * treats it so, and keeping `Ann@x.org` and `ann@x.org` as two subscribers would mail one person twice.
 */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export const emailSchema = z
  .string({ message: 'must be an email address' })
  .transform(normaliseEmail)
  .pipe(
    z
      .email({ message: 'must be an email address such as reader@example.org' })
      .max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`)
      .refine((email) => (email.split('@')[0] ?? '').length <= MAX_LOCAL_PART_LENGTH, {
        message: `must have at most ${MAX_LOCAL_PART_LENGTH} characters before the @`,
      }),
  );

export const signUpSchema = z.object({ email: emailSchema }).strict();

export const adminUpdateSchema = z
  .object({
    tier: z.enum(READER_TIERS, { message: 'must be free or paid' }).optional(),
    status: z.enum(SUBSCRIBER_STATUSES, { message: `must be one of: ${SUBSCRIBER_STATUSES.join(', ')}` }).optional(),
    /** Revokes every private feed URL issued so far (a leaked URL); the next feed-url call issues a new one. */
    rotateFeedToken: z.literal(true).optional(),
    /** The series to receive: a list of configured ids (empty: none), or null for every series, later ones too. */
    series: seriesIdsSchema.nullable().optional(),
  })
  .strict();
export type AdminUpdate = z.infer<typeof adminUpdateSchema>;

/** Repeat sign-ups for a pending address send at most one confirmation per cooldown: no mail-bombing a stranger. */
export const CONFIRMATION_COOLDOWN_MS = 10 * 60 * 1000;

export type SignUpDecision =
  | { action: 'create'; subscriber: Subscriber }
  | { action: 'resend'; subscriber: Subscriber }
  | { action: 'none'; reason: 'already-active' | 'suppressed' | 'cooldown' };

/**
 * What a public sign-up does. Never downgrades or resets: an active subscriber (free or paid) is left exactly
 * as is, a suppressed address gets no mail, a pending or unsubscribed one gets a fresh confirmation mail but
 * keeps its status until the link is followed.
 */
export function decideSignUp(
  existing: Subscriber | undefined,
  email: string,
  newId: string,
  now: Date,
): SignUpDecision {
  const at = now.toISOString();
  if (!existing) {
    return {
      action: 'create',
      subscriber: {
        email,
        subscriberId: newId,
        tier: 'free',
        status: 'pending',
        feedTokenVersion: 0,
        statusVersion: 0,
        createdAt: at,
        updatedAt: at,
        confirmationSentAt: at,
      },
    };
  }
  if (existing.status === 'active') return { action: 'none', reason: 'already-active' };
  if (SUPPRESSED_STATUSES.includes(existing.status)) return { action: 'none', reason: 'suppressed' };
  const lastSent = existing.confirmationSentAt ? Date.parse(existing.confirmationSentAt) : 0;
  if (now.getTime() - lastSent < CONFIRMATION_COOLDOWN_MS) return { action: 'none', reason: 'cooldown' };
  return { action: 'resend', subscriber: { ...existing, confirmationSentAt: at, updatedAt: at } };
}

export function statusVersionOf(subscriber: Subscriber): number {
  return subscriber.statusVersion ?? 0;
}

export function signInVersionOf(subscriber: Subscriber): number {
  return subscriber.signInVersion ?? 0;
}

export function memberSessionVersionOf(subscriber: Subscriber): number {
  return subscriber.memberSessionVersion ?? 0;
}

/**
 * The one way a status changes: the status version goes up (older confirmation links die), and leaving
 * `active` also bumps the feed token version (older private feed URLs die for good) and the member session
 * version (every session cookie dies: a lapsed reader must not keep reading paid pages on an old cookie).
 */
export function withStatus(subscriber: Subscriber, status: SubscriberStatus): Subscriber {
  if (status === subscriber.status) return subscriber;
  const leavesActive = subscriber.status === 'active';
  return {
    ...subscriber,
    status,
    statusVersion: statusVersionOf(subscriber) + 1,
    feedTokenVersion: subscriber.feedTokenVersion + (leavesActive ? 1 : 0),
    memberSessionVersion: memberSessionVersionOf(subscriber) + (leavesActive ? 1 : 0),
  };
}

/**
 * The one way a tier changes (an admin, a Stripe webhook): leaving `paid` revokes what paid access was issued so far.
 * The feed token version goes up, so a private feed URL issued while the reader paid stays dead if they pay again
 * later (they get a new one), as it does for a reader who leaves `active`. The member session version goes up, so a
 * downgraded reader is signed out of the paid pages at once rather than at the cookie's expiry. Coming to `paid`
 * revokes nothing; the reader's current cookie starts opening the paid pages.
 */
export function withTier(subscriber: Subscriber, tier: ReaderTier): Subscriber {
  if (tier === subscriber.tier) return subscriber;
  const leavesPaid = subscriber.tier === 'paid';
  return {
    ...subscriber,
    tier,
    feedTokenVersion: subscriber.feedTokenVersion + (leavesPaid ? 1 : 0),
    memberSessionVersion: memberSessionVersionOf(subscriber) + (leavesPaid ? 1 : 0),
  };
}

export type ConfirmDecision =
  | { action: 'activate'; subscriber: Subscriber }
  | { action: 'none'; reason: 'already-active' }
  | { action: 'refuse'; reason: 'suppressed' | 'stale' };

/**
 * Following a confirmation link activates a pending or unsubscribed address with the tier it has, if the link
 * was minted at the subscriber's current status version. A link from before a later change (the reader
 * confirmed and then unsubscribed) is stale: mail scanners re-open old links, and that must not resubscribe
 * anyone. Unversioned links (minted before versions existed) only confirm a reader who never changed status.
 */
export function decideConfirm(existing: Subscriber, tokenVersion: number | 'unversioned', now: Date): ConfirmDecision {
  if (existing.status === 'active') return { action: 'none', reason: 'already-active' };
  if (SUPPRESSED_STATUSES.includes(existing.status)) return { action: 'refuse', reason: 'suppressed' };
  const current =
    tokenVersion === 'unversioned'
      ? existing.status === 'pending' && statusVersionOf(existing) === 0
      : tokenVersion === statusVersionOf(existing);
  if (!current) return { action: 'refuse', reason: 'stale' };
  const at = now.toISOString();
  const { unsubscribedAt: _gone, statusReason: _reason, ...rest } = withStatus(existing, 'active');
  return { action: 'activate', subscriber: { ...rest, confirmedAt: at, updatedAt: at } };
}

export type UnsubscribeDecision = { action: 'unsubscribe'; subscriber: Subscriber } | { action: 'none' };

/**
 * Unsubscribe (one-click, or the manage page's button; `reason` says which): final for this address until it
 * signs up again; bounced/complained stay as they are.
 */
export function decideUnsubscribe(
  existing: Subscriber,
  now: Date,
  reason: 'one-click' | 'manage-page' = 'one-click',
): UnsubscribeDecision {
  if (existing.status !== 'active' && existing.status !== 'pending') return { action: 'none' };
  const at = now.toISOString();
  return {
    action: 'unsubscribe',
    subscriber: {
      ...withStatus(existing, 'unsubscribed'),
      unsubscribedAt: at,
      statusReason: reason,
      updatedAt: at,
    },
  };
}

/**
 * Operator changes: imports skip opt-in, so a new address defaults to an active free subscriber. `series` must
 * already be checked against the configured series (`chosenSeries`); null stores "every series".
 */
export function applyAdminUpdate(
  existing: Subscriber | undefined,
  email: string,
  update: AdminUpdate,
  newId: string,
  now: Date,
): Subscriber {
  const at = now.toISOString();
  const base: Subscriber = existing ?? {
    email,
    subscriberId: newId,
    tier: 'free',
    status: 'active',
    feedTokenVersion: 0,
    statusVersion: 0,
    createdAt: at,
    updatedAt: at,
  };
  const status = update.status ?? base.status;
  const changed = withTier(withStatus(base, status), update.tier ?? base.tier);
  const next: Subscriber = {
    ...(update.series === undefined ? changed : withSeries(changed, update.series ?? undefined)),
    feedTokenVersion: changed.feedTokenVersion + (update.rotateFeedToken ? 1 : 0),
    updatedAt: at,
  };
  if (status !== base.status || !existing) {
    if (status === 'active') {
      next.confirmedAt ??= at;
      delete next.unsubscribedAt;
      delete next.statusReason;
    } else if (status !== 'pending') {
      next.statusReason = 'admin';
      if (status === 'unsubscribed') next.unsubscribedAt = at;
    }
  }
  return next;
}

export type FeedEligibility = 'eligible' | 'not-paid' | 'not-active';

/** Who may hold a private feed: an active paid subscriber. */
export function feedEligibility(subscriber: Subscriber): FeedEligibility {
  if (subscriber.status !== 'active') return 'not-active';
  return subscriber.tier === 'paid' ? 'eligible' : 'not-paid';
}

/** The digest tier a subscriber gets right now, or undefined when they must not be mailed. */
export function mailableTier(subscriber: Subscriber | undefined): ReaderTier | undefined {
  return subscriber?.status === 'active' ? subscriber.tier : undefined;
}
