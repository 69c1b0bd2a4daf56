import type { Publication } from '../shared/publication';
import { ConflictError } from '../shared/errors';
import { readerChoice, withSeries } from './series-preferences';
import { MAX_ROUNDS, type SubscribersRepository } from './subscriber-service';
import type { SubscriberTokens } from './subscriber-tokens';
import { decideUnsubscribe, type Subscriber, type SubscriberStatus } from './subscribers';

/**
 * The manage page's workflow (`/api/subscribers/manage?token=`, linked from every mail): a reader with a manage
 * token chooses their series or unsubscribes. No login: the signed token alone authorises it, like one-click
 * unsubscribe. Opening the page changes nothing (mail scanners open links); only its POSTs do.
 */

/** What the form posts, once read at the edge: `series` repeated once per chosen id, or the unsubscribe button. */
export type ManageForm = { action: 'save'; series: readonly string[] } | { action: 'unsubscribe' };

export type ManageOutcome =
  /** The token is malformed, forged, of another purpose, or names a subscriber that no longer exists. */
  | { outcome: 'invalid' }
  /** The address receives no digest (unsubscribed, bounced, complained): there is nothing to choose. */
  | { outcome: 'not-subscribed'; status: SubscriberStatus }
  /** The form, with the stored choice (absent: every series). */
  | { outcome: 'choose'; series?: string[] }
  | { outcome: 'saved'; series?: string[] }
  | { outcome: 'unsubscribed' };

/** Readers who may choose: those who get the digest, or will once they confirm. */
const CHOOSING_STATUSES: readonly SubscriberStatus[] = ['active', 'pending'];

export class ManagePreferences {
  constructor(
    private readonly subscribers: SubscribersRepository,
    private readonly tokens: Pick<SubscriberTokens, 'verify'>,
    private readonly publication: Publication,
  ) {}

  /** For GET: reads, never writes. */
  async show(token: string | undefined, now: Date): Promise<ManageOutcome> {
    const subscriber = await this.subscriberOf(token, now);
    if (!subscriber) return { outcome: 'invalid' };
    if (!CHOOSING_STATUSES.includes(subscriber.status)) {
      return { outcome: 'not-subscribed', status: subscriber.status };
    }
    return { outcome: 'choose', ...seriesOf(subscriber) };
  }

  /**
   * Saves the chosen series or unsubscribes. The token is checked before the choice, so a forged link changes
   * nothing whatever it posts; an unknown series id is an `InvalidInputError` naming `series`.
   */
  async submit(token: string | undefined, form: ManageForm, now: Date): Promise<ManageOutcome> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.subscriberOf(token, now);
      if (!existing) return { outcome: 'invalid' };
      const decision = this.decide(existing, form, now);
      if ('outcome' in decision) return decision;
      if (await this.subscribers.save(decision.next, existing)) return decision.then;
    }
    throw new ConflictError('busy', 'This subscription is being changed by another request; try again');
  }

  private decide(
    existing: Subscriber,
    form: ManageForm,
    now: Date,
  ): ManageOutcome | { next: Subscriber; then: ManageOutcome } {
    if (form.action === 'unsubscribe') {
      // The one unsubscribe rule, so the status version and the private feed are revoked as for one-click.
      const decision = decideUnsubscribe(existing, now, 'manage-page');
      return decision.action === 'unsubscribe'
        ? { next: decision.subscriber, then: { outcome: 'unsubscribed' } }
        : { outcome: 'unsubscribed' };
    }
    if (!CHOOSING_STATUSES.includes(existing.status)) return { outcome: 'not-subscribed', status: existing.status };
    const choice = readerChoice(form.series, this.publication);
    const saved: ManageOutcome = { outcome: 'saved', ...(choice === undefined ? {} : { series: choice }) };
    if (sameChoice(existing.series, choice)) return saved;
    return { next: { ...withSeries(existing, choice), updatedAt: now.toISOString() }, then: saved };
  }

  private async subscriberOf(token: string | undefined, now: Date): Promise<Subscriber | undefined> {
    const check = this.tokens.verify(token, 'manage', now);
    if (!check.ok) return undefined;
    // A correctly signed token for a subscriber that no longer exists: the record was removed by an operator.
    return this.subscribers.getBySubscriberId(check.claims.subscriberId);
  }
}

function seriesOf(subscriber: Subscriber): { series?: string[] } {
  return subscriber.series === undefined ? {} : { series: subscriber.series };
}

function sameChoice(stored: readonly string[] | undefined, choice: readonly string[] | undefined): boolean {
  if (stored === undefined || choice === undefined) return stored === choice;
  return stored.length === choice.length && stored.every((id, index) => id === choice[index]);
}
