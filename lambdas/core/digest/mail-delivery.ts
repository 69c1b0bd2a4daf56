import { randomUUID } from 'node:crypto';
import { personalise, RecipientError } from './personalise';
import type { CompiledEdition, CompiledEditionRef } from './compiled-edition';
import type { ReaderTier } from '../shared/reader-tier';
import {
  canSend,
  finalStatus,
  isComplete,
  type EditionCounter,
  type EditionRecord,
  type EditionStatus,
  type EditionStatusWriter,
} from './edition';
import {
  DELIVERY_LEASE_MS,
  deliveryKey,
  existingDeliveryAction,
  type DeliveryRecord,
  type DeliveryStatus,
} from './deliveries';
import type { MailMessage } from './queue-messages';
import { SendRejectedError, SendThrottledError, SendUnavailableError, type PacedMailer } from './outgoing-mail';
import type { Publication } from '../shared/publication';
import { manageUrl, privateFeedUrl, unsubscribeUrl } from '../shared/reader-urls';
import type { SubscriberTokens } from '../subscribers/subscriber-tokens';
import { mailableTier, type Subscriber } from '../subscribers/subscribers';

/** Ports of the sender. */
export interface DeliveriesRepository extends EditionStatusWriter {
  getEdition(id: string): Promise<EditionRecord | undefined>;
  /** The edition's status and compile version, read strongly right before each SES call. */
  sendState(id: string): Promise<{ status: EditionStatus; compileVersion: number } | undefined>;
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
  reopenDelivery(editionId: string, key: string, status: DeliveryStatus): Promise<boolean>;
  count(id: string, counters: Partial<Record<EditionCounter, number>>, at: Date): Promise<EditionRecord>;
}

export interface SubscriberLookup {
  getMany(emails: readonly string[]): Promise<Map<string, Subscriber>>;
}

export interface CompiledEditionSource {
  get(ref: CompiledEditionRef): Promise<CompiledEdition>;
}

export interface MailSenderOptions {
  now?: () => Date;
  leaseMs?: number;
  /** Recipients of one message sent at once; the mailer's token bucket still sets the pace. @default 4 */
  concurrency?: number;
  /** Editions whose compiled documents stay in memory. @default 4 */
  cacheSize?: number;
  /** Attempts per recipient while SES throttles, each with its own slot and claim. @default 5 */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt, full jitter. @default 100 */
  baseDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type RecipientOutcome =
  'sent' | 'suppressed' | 'failed' | 'unknown' | 'deferred' | 'not-sent' | 'skipped' | 'retry';

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
 * Per recipient, in this order: wait for the rate slot; read the edition's status (after a pause answers, no new
 * SES call starts); claim the recipient's delivery record (`sending`, conditional); call SES once; record the
 * outcome. The claim is thus held only while the call is about to start or in flight, so a crash leaves an
 * unknown outcome only for a call that was really in flight. Throttling gives the claim back and tries again
 * after a jittered backoff; unreachable SES asks for redelivery. A claim found `sending` past its lease is such
 * a crash: it is recorded `unknown` and listed, never sent again unless an editor asks (retry-unknown).
 * A paused edition leaves `deferred` records (resume sends them); a cancelled one `not-sent` records.
 */
export class MailSender {
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly cacheSize: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly cache = new Map<string, Promise<CompiledEdition>>();

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly subscribers: SubscriberLookup,
    private readonly compiled: CompiledEditionSource,
    private readonly mailer: PacedMailer,
    private readonly tokens: SubscriberTokens,
    private readonly publication: Publication,
    options: MailSenderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? DELIVERY_LEASE_MS;
    this.concurrency = options.concurrency ?? 4;
    this.cacheSize = options.cacheSize ?? 4;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(message: MailMessage, hasTime: () => boolean = () => true): Promise<MessageOutcome> {
    const outcomes: Record<RecipientOutcome, number> = {
      sent: 0,
      suppressed: 0,
      failed: 0,
      unknown: 0,
      deferred: 0,
      'not-sent': 0,
      skipped: 0,
      retry: 0,
    };
    const edition = await this.deliveries.getEdition(message.editionId);
    if (!edition) throw new Error(`Edition ${message.editionId} does not exist`);
    // A redelivered message is mostly done already: one batch read skips those recipients before any claim.
    const existing = await this.deliveries.getDeliveries(edition.id, message.emails.map(deliveryKey));
    const open = message.emails.filter((email) => {
      const record = existing.get(deliveryKey(email));
      return record === undefined || record.status === 'sending' || record.status === 'deferred';
    });
    const sending = canSend(edition.status);
    const subscribers =
      !sending || open.length === 0 ? new Map<string, Subscriber>() : await this.subscribers.getMany(open);

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
          const outcome = sending
            ? await this.deliver(edition, message.series, email, subscribers.get(email), add)
            : await this.stopped(edition, edition.status, email, add);
          outcomes[outcome] += 1;
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
    series: string | undefined,
    email: string,
    subscriber: Subscriber | undefined,
    add: (counter: EditionCounter) => void,
  ): Promise<RecipientOutcome> {
    const key = deliveryKey(email);
    const tier = mailableTier(subscriber);
    if (tier === undefined || subscriber === undefined) {
      // Suppressed readers get a final record too, so a redelivery never counts them twice.
      return this.settle(edition, key, email, 'suppressed', add);
    }

    let mail;
    try {
      // The tier the reader holds now, the combination the planner grouped them in (both tiers are stored for it),
      // and the current compile version, so a resume's corrections reach messages queued before the pause.
      const compiled = await this.compiledEdition({
        editionId: edition.id,
        version: edition.compileVersion ?? 0,
        tier,
        ...(series === undefined ? {} : { series }),
      });
      mail = personalise(compiled, this.recipientLinks(subscriber, tier));
    } catch (error) {
      if (!(error instanceof RecipientError)) throw error;
      return this.settle(edition, key, email, 'failed', add, 'recipient-links');
    }

    for (let attempt = 1; ; attempt += 1) {
      await this.mailer.slot();
      const state = await this.deliveries.sendState(edition.id);
      if (!state || !canSend(state.status)) return this.stopped(edition, state?.status, email, add);
      // A resume since this message read the edition (a correction paused it, the editor resumed): the mail in
      // hand was compiled before the correction. Nothing is claimed yet; the redelivery loads the new version.
      if (state.compileVersion !== (edition.compileVersion ?? 0)) return 'retry';

      const claimId = randomUUID();
      const claimedAt = this.now().toISOString();
      const claim = await this.deliveries.claimDelivery(edition.id, key, {
        status: 'sending',
        email,
        claimId,
        claimedAt,
      });
      if (!claim.claimed) return this.resolveExisting(edition, key, claim.existing, add);

      let messageId: string;
      try {
        ({ messageId } = await this.mailer.sendOnce({
          to: subscriber.email,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          headers: [...mail.headers, { name: 'X-Dispatch-Edition', value: edition.id }],
          tags: { edition: edition.id, tier, kind: 'digest' },
        }));
      } catch (error) {
        if (error instanceof SendThrottledError || error instanceof SendUnavailableError) {
          // Certainly not sent: give the claim back before waiting, so a crash now leaves nothing ambiguous.
          await this.deliveries.releaseDelivery(edition.id, key, claimId);
          if (error instanceof SendUnavailableError || attempt >= this.maxAttempts) return 'retry';
          await this.sleep(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)));
          continue;
        }
        if (error instanceof SendRejectedError) {
          const outcome = { status: 'failed' as const, reason: `rejected: ${error.message}` };
          if (await this.deliveries.finishDelivery(edition.id, key, claimId, outcome, this.now())) add('failed');
          return 'failed';
        }
        // Anything else (a timeout, a reset mid-call) may have reached SES: never sent again by itself.
        const outcome = { status: 'unknown' as const, reason: 'unknown-outcome' };
        if (await this.deliveries.finishDelivery(edition.id, key, claimId, outcome, this.now())) add('unknown');
        return 'unknown';
      }
      // Deliberately outside the try: if recording fails, the claim stays `sending` and the lease rule applies.
      const sent = { status: 'sent' as const, messageId };
      if (await this.deliveries.finishDelivery(edition.id, key, claimId, sent, this.now())) add('sent');
      return 'sent';
    }
  }

  /** A reader reached while the edition is not sending: deferred if paused (resume sends it), else not sent. */
  private async stopped(
    edition: EditionRecord,
    status: EditionStatus | undefined,
    email: string,
    add: (counter: EditionCounter) => void,
  ): Promise<RecipientOutcome> {
    const key = deliveryKey(email);
    if (status === 'paused') {
      const outcome = await this.settle(edition, key, email, 'deferred', add);
      // A resume that landed meanwhile has already gathered the deferred readers: take this one back.
      const now = await this.deliveries.sendState(edition.id);
      if (outcome === 'deferred' && now && canSend(now.status)) {
        await this.deliveries.reopenDelivery(edition.id, key, 'deferred');
        return 'retry';
      }
      return outcome;
    }
    if (status === 'cancelled') return this.settle(edition, key, email, 'not-sent', add);
    return 'skipped';
  }

  /** Writes a final (or deferred) record without any SES call. */
  private async settle(
    edition: EditionRecord,
    key: string,
    email: string,
    status: 'suppressed' | 'failed' | 'deferred' | 'not-sent',
    add: (counter: EditionCounter) => void,
    reason?: string,
  ): Promise<RecipientOutcome> {
    const record: DeliveryRecord = {
      status,
      email,
      claimId: randomUUID(),
      claimedAt: this.now().toISOString(),
      ...(reason ? { reason } : {}),
    };
    const claim = await this.deliveries.claimDelivery(edition.id, key, record);
    if (!claim.claimed) {
      if (claim.existing.status === 'deferred' && status !== 'deferred') {
        // Deferred by a pause, now cancelled or settled: the deferred record gives way once.
        if (await this.deliveries.reopenDelivery(edition.id, key, 'deferred')) {
          return this.settle(edition, key, email, status, add, reason);
        }
      }
      return this.resolveExisting(edition, key, claim.existing, add);
    }
    if (status === 'suppressed') add('suppressed');
    if (status === 'failed') add('failed');
    if (status === 'not-sent') add('notSent');
    return status;
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
      case 'retake':
        // Deferred while paused and the edition sends again: reopen it and let the redelivery send it.
        await this.deliveries.reopenDelivery(edition.id, key, 'deferred');
        return 'retry';
      case 'give-up':
        if (
          await this.deliveries.finishDelivery(
            edition.id,
            key,
            existing.claimId,
            { status: 'unknown', reason: 'unknown-outcome' },
            this.now(),
          )
        ) {
          add('unknown');
        }
        return 'unknown';
    }
  }

  private recipientLinks(subscriber: Subscriber, tier: ReaderTier) {
    const links = {
      unsubscribeUrl: unsubscribeUrl(this.publication, this.tokens.unsubscribeToken(subscriber.subscriberId)),
      manageUrl: manageUrl(this.publication, this.tokens.manageToken(subscriber.subscriberId)),
    };
    if (tier === 'free') return links;
    const feedToken = this.tokens.feedToken(subscriber.subscriberId, subscriber.feedTokenVersion);
    return { ...links, feedUrl: privateFeedUrl(this.publication, feedToken) };
  }

  private async count(editionId: string, tally: Partial<Record<EditionCounter, number>>): Promise<void> {
    if (Object.keys(tally).length === 0) return;
    const edition = await this.deliveries.count(editionId, tally, this.now());
    if (!isComplete(edition)) return;
    const { status, reason } = finalStatus(edition);
    await this.deliveries.setStatus(editionId, ['sending'], status, this.now(), reason);
  }

  /** Loaded from the vault once per edition, version, tier and combination per container. */
  private compiledEdition(ref: CompiledEditionRef): Promise<CompiledEdition> {
    const cacheKey = `${ref.editionId}/${ref.version}/${ref.tier}/${ref.series ?? ''}`;
    let entry = this.cache.get(cacheKey);
    if (!entry) {
      entry = this.compiled.get(ref);
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
