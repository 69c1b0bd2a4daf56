import { randomUUID } from 'node:crypto';
import { personalise, RecipientError, type CompiledEdition, type DigestTier } from './digest';
import {
  canSend,
  DELIVERY_LEASE_MS,
  deliveryKey,
  existingDeliveryAction,
  finalStatus,
  isComplete,
  type DeliveryRecord,
  type DeliveryStatus,
  type EditionCounter,
  type EditionRecord,
  type EditionStatus,
  type MailMessage,
} from './editions';
import { SendRejectedError, SendThrottledError, SendUnavailableError, type Mailer } from './outgoing-mail';
import type { Publication } from './publication';
import { privateFeedUrl } from './subscriber-service';
import type { SubscriberTokens } from './subscriber-tokens';
import { mailableTier, type Subscriber } from './subscribers';

/** Ports of the sender. */
export interface DeliveriesRepository {
  getEdition(id: string): Promise<EditionRecord | undefined>;
  getDeliveries(editionId: string, keys: readonly string[]): Promise<Map<string, DeliveryRecord>>;
  claimDelivery(
    editionId: string,
    key: string,
    record: DeliveryRecord,
  ): Promise<{ claimed: true } | { claimed: false; existing: DeliveryRecord }>;
  finishDelivery(
    editionId: string,
    key: string,
    claimId: string,
    outcome: { status: Exclude<DeliveryStatus, 'sending'>; messageId?: string; reason?: string },
    at: Date,
  ): Promise<boolean>;
  releaseDelivery(editionId: string, key: string, claimId: string): Promise<void>;
  count(id: string, counters: Partial<Record<EditionCounter, number>>, at: Date): Promise<EditionRecord>;
  setStatus(
    id: string,
    from: readonly EditionStatus[],
    to: EditionStatus,
    at: Date,
    reason?: string,
  ): Promise<EditionRecord | undefined>;
}

export interface SubscriberLookup {
  getMany(emails: readonly string[]): Promise<Map<string, Subscriber>>;
}

export interface CompiledEditionSource {
  get(editionId: string, tier: DigestTier): Promise<CompiledEdition>;
}

export interface MailSenderOptions {
  now?: () => Date;
  leaseMs?: number;
  /** Recipients of one message sent at once; the mailer's token bucket still sets the pace. @default 4 */
  concurrency?: number;
  /** Editions whose compiled documents stay in memory. @default 4 */
  cacheSize?: number;
}

export type RecipientOutcome = 'sent' | 'suppressed' | 'failed' | 'not-sent' | 'skipped' | 'retry';

export interface MessageOutcome {
  /** True when the message must be delivered again (some recipients are still owed an attempt). */
  retry: boolean;
  outcomes: Record<RecipientOutcome, number>;
  /** Unexpected errors (storage, bugs) of recipients counted under `retry`. */
  errors: unknown[];
}

/**
 * Sends one mail-queue message: each recipient exactly once, with the tier they hold at send time.
 *
 * Per recipient: a conditional `sending` claim on their delivery record, then SES, then `sent`; the edition's
 * counters get one atomic ADD per message with the transitions this attempt made. Throttling and unreachable SES give the claim back and ask for redelivery. A claim found
 * `sending` past its lease means an earlier attempt died, perhaps after SES accepted the mail; that recipient is
 * recorded as failed (outcome unknown) rather than risk a second copy.
 */
export class MailSender {
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Promise<CompiledEdition>>();

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly subscribers: SubscriberLookup,
    private readonly compiled: CompiledEditionSource,
    private readonly mailer: Mailer,
    private readonly tokens: SubscriberTokens,
    private readonly publication: Publication,
    options: MailSenderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? DELIVERY_LEASE_MS;
    this.concurrency = options.concurrency ?? 4;
    this.cacheSize = options.cacheSize ?? 4;
  }

  async send(message: MailMessage, hasTime: () => boolean = () => true): Promise<MessageOutcome> {
    const outcomes: Record<RecipientOutcome, number> = {
      sent: 0,
      suppressed: 0,
      failed: 0,
      'not-sent': 0,
      skipped: 0,
      retry: 0,
    };
    const edition = await this.deliveries.getEdition(message.editionId);
    if (!edition) throw new Error(`Edition ${message.editionId} does not exist`);
    const paused = !canSend(edition.status);
    // A redelivered message is mostly done already: one batch read skips those recipients before any claim.
    const existing = await this.deliveries.getDeliveries(edition.id, message.emails.map(deliveryKey));
    const open = message.emails.filter((email) => {
      const record = existing.get(deliveryKey(email));
      return record === undefined || record.status === 'sending';
    });
    const subscribers =
      paused || open.length === 0 ? new Map<string, Subscriber>() : await this.subscribers.getMany(open);

    const errors: unknown[] = [];
    // Counted once per message: only transitions this attempt made are in the tally, so a redelivered message
    // adds nothing for recipients already done.
    const tally: Partial<Record<EditionCounter, number>> = {};
    const add = (counter: EditionCounter) => {
      tally[counter] = (tally[counter] ?? 0) + 1;
    };
    outcomes.skipped = message.emails.length - open.length;
    const queue = [...open];
    const worker = async (): Promise<void> => {
      for (let email = queue.shift(); email !== undefined; email = queue.shift()) {
        if (!hasTime()) {
          outcomes.retry += 1;
          continue;
        }
        try {
          outcomes[await this.deliver(edition, email, paused ? 'paused' : subscribers.get(email), add)] += 1;
        } catch (error) {
          // The recipient's record says how far it got; redelivery resumes from there (see the class comment).
          errors.push(error);
          outcomes.retry += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    await this.count(edition.id, tally);
    return { retry: outcomes.retry > 0, outcomes, errors };
  }

  private async deliver(
    edition: EditionRecord,
    email: string,
    subscriber: Subscriber | 'paused' | undefined,
    add: (counter: EditionCounter) => void,
  ): Promise<RecipientOutcome> {
    const key = deliveryKey(email);
    const claimId = randomUUID();
    const claimedAt = this.now().toISOString();
    const tier = subscriber === 'paused' ? undefined : mailableTier(subscriber);

    if (tier === undefined) {
      // Paused editions and suppressed readers get a final record too, so a redelivery never counts them twice.
      const status = subscriber === 'paused' ? 'not-sent' : 'suppressed';
      const claim = await this.deliveries.claimDelivery(edition.id, key, { status, claimId, claimedAt });
      if (!claim.claimed) return this.resolveExisting(edition, key, claim.existing, add);
      add(status === 'not-sent' ? 'notSent' : 'suppressed');
      return status;
    }

    const reader = subscriber as Subscriber;
    let mail;
    try {
      const compiled = await this.compiledEdition(edition.id, tier);
      mail = personalise(compiled, this.recipientLinks(reader, tier));
    } catch (error) {
      if (!(error instanceof RecipientError)) throw error;
      return this.recordFailure(edition, key, claimId, claimedAt, 'recipient-links', add);
    }

    const claim = await this.deliveries.claimDelivery(edition.id, key, { status: 'sending', claimId, claimedAt });
    if (!claim.claimed) return this.resolveExisting(edition, key, claim.existing, add);

    let messageId: string;
    try {
      ({ messageId } = await this.mailer.send({
        to: reader.email,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: [...mail.headers, { name: 'X-Dispatch-Edition', value: edition.id }],
        tags: { edition: edition.id, tier, kind: 'digest' },
      }));
    } catch (error) {
      if (error instanceof SendThrottledError || error instanceof SendUnavailableError) {
        await this.deliveries.releaseDelivery(edition.id, key, claimId);
        return 'retry';
      }
      const reason = error instanceof SendRejectedError ? `rejected: ${error.message}` : 'unknown-outcome';
      if (await this.deliveries.finishDelivery(edition.id, key, claimId, { status: 'failed', reason }, this.now()))
        add('failed');
      return 'failed';
    }
    // Deliberately outside the try: if recording fails, the claim stays `sending` and the lease rule applies.
    if (await this.deliveries.finishDelivery(edition.id, key, claimId, { status: 'sent', messageId }, this.now()))
      add('sent');
    return 'sent';
  }

  private async resolveExisting(
    edition: EditionRecord,
    key: string,
    existing: DeliveryRecord,
    add: (counter: EditionCounter) => void,
  ): Promise<RecipientOutcome> {
    switch (existingDeliveryAction(existing, this.now(), this.leaseMs)) {
      case 'skip':
        return 'skipped';
      case 'wait':
        return 'retry';
      case 'give-up':
        if (
          await this.deliveries.finishDelivery(
            edition.id,
            key,
            existing.claimId,
            { status: 'failed', reason: 'unknown-outcome' },
            this.now(),
          )
        ) {
          add('failed');
        }
        return 'failed';
    }
  }

  private async recordFailure(
    edition: EditionRecord,
    key: string,
    claimId: string,
    claimedAt: string,
    reason: string,
    add: (counter: EditionCounter) => void,
  ): Promise<RecipientOutcome> {
    const claim = await this.deliveries.claimDelivery(edition.id, key, {
      status: 'failed',
      claimId,
      claimedAt,
      reason,
    });
    if (!claim.claimed) return this.resolveExisting(edition, key, claim.existing, add);
    add('failed');
    return 'failed';
  }

  private recipientLinks(subscriber: Subscriber, tier: DigestTier) {
    const unsubscribeUrl = `${this.publication.siteUrl}/api/unsubscribe?token=${this.tokens.unsubscribeToken(subscriber.subscriberId)}`;
    if (tier === 'free') return { unsubscribeUrl };
    const feedToken = this.tokens.feedToken(subscriber.subscriberId, subscriber.feedTokenVersion);
    return { unsubscribeUrl, feedUrl: privateFeedUrl(this.publication, feedToken) };
  }

  private async count(editionId: string, tally: Partial<Record<EditionCounter, number>>): Promise<void> {
    if (Object.keys(tally).length === 0) return;
    const edition = await this.deliveries.count(editionId, tally, this.now());
    if (isComplete(edition)) await this.deliveries.setStatus(editionId, ['sending'], finalStatus(edition), this.now());
  }

  /** Loaded from the vault once per edition and tier per container. */
  private compiledEdition(editionId: string, tier: DigestTier): Promise<CompiledEdition> {
    const cacheKey = `${editionId}/${tier}`;
    let entry = this.cache.get(cacheKey);
    if (!entry) {
      entry = this.compiled.get(editionId, tier);
      entry.catch(() => this.cache.delete(cacheKey));
      this.cache.set(cacheKey, entry);
      while (this.cache.size > this.cacheSize * 2) {
        const oldest = this.cache.keys().next().value;
        if (oldest === undefined) break;
        this.cache.delete(oldest);
      }
    }
    return entry;
  }
}
