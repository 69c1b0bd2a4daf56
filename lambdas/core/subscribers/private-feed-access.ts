import type { Subscriber } from './subscribers';
import { feedEligibility } from './subscribers';
import type { SubscriberTokens } from './subscriber-tokens';

export type PrivateFeedAccess = { granted: true } | { granted: false; subscriberId?: string };

/**
 * Whether a private feed token opens the feed: a valid feed token of an active paid subscriber whose feed token
 * version it still carries (a reissued URL revokes the old one). `subscriberId` names who was refused once the
 * token itself was valid, for the log.
 */
export async function privateFeedAccess(
  tokens: Pick<SubscriberTokens, 'verify'>,
  subscribers: { getBySubscriberId(subscriberId: string): Promise<Subscriber | undefined> },
  token: string,
  now: Date,
): Promise<PrivateFeedAccess> {
  const check = tokens.verify(token, 'feed', now);
  if (!check.ok) return { granted: false };
  const { subscriberId, feedTokenVersion } = check.claims;
  const subscriber = await subscribers.getBySubscriberId(subscriberId);
  if (!subscriber || feedEligibility(subscriber) !== 'eligible' || subscriber.feedTokenVersion !== feedTokenVersion) {
    return { granted: false, subscriberId };
  }
  return { granted: true };
}
