import { describe, expect, it } from 'vitest';
import { applyFeedback, type FeedbackLedger, type SuppressionList } from '../../lambdas/core/digest/feedback';
import {
  newEdition,
  type EditionCounter,
  type EditionRecord,
  type EditionStatus,
} from '../../lambdas/core/digest/edition';
import type { SubscriberStatus } from '../../lambdas/core/subscribers/subscribers';

const NOW = new Date('2026-11-30T08:00:00.000Z');

/** An in-memory subscribers table: address → status. */
class FakeSuppressionList implements SuppressionList {
  readonly calls: { email: string; status: SubscriberStatus; reason: string }[] = [];
  constructor(readonly statuses: Map<string, SubscriberStatus>) {}

  async suppress(email: string, status: SubscriberStatus, reason: string, keep: readonly SubscriberStatus[]) {
    this.calls.push({ email, status, reason });
    const current = this.statuses.get(email);
    if (current === undefined || keep.includes(current)) return false;
    this.statuses.set(email, status);
    return true;
  }
}

/** An in-memory digests table: one edition, its feedback markers and its status changes. */
class FakeLedger implements FeedbackLedger {
  readonly seen = new Set<string>();
  constructor(public edition: EditionRecord) {}

  async recordFeedback(editionId: string, messageId: string, kind: string) {
    const key = `${editionId}#${messageId}#${kind}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  async count(id: string, counters: Partial<Record<EditionCounter, number>>) {
    expect(id).toBe(this.edition.id);
    const next = { ...this.edition };
    for (const [name, value] of Object.entries(counters) as [EditionCounter, number][])
      next[name] = (next[name] ?? 0) + value;
    this.edition = next;
    return next;
  }

  async setStatus(id: string, from: readonly EditionStatus[], to: EditionStatus, _at: Date, reason?: string) {
    if (id !== this.edition.id || !from.includes(this.edition.status)) return undefined;
    this.edition = { ...this.edition, status: to, ...(reason ? { reason } : {}) };
    return this.edition;
  }
}

function edition(fields: Partial<EditionRecord>): EditionRecord {
  const base = newEdition({
    id: 'E1',
    trigger: 'schedule',
    window: { start: '2026-11-23T08:00:00.000Z', end: '2026-11-30T08:00:00.000Z' },
    reportIds: ['R1'],
    now: NOW,
  });
  return { ...base, ...fields };
}

const hardBounce = (messageId: string, ...addresses: string[]) => ({
  eventType: 'Bounce',
  mail: { messageId, tags: { edition: ['E1'] } },
  bounce: { bounceType: 'Permanent', bouncedRecipients: addresses.map((emailAddress) => ({ emailAddress })) },
});

describe('applyFeedback', () => {
  it('ignores events it does not act on, touching nothing', async () => {
    const subscribers = new FakeSuppressionList(new Map());
    const ledger = new FakeLedger(edition({ status: 'sending', sent: 10 }));
    const outcome = await applyFeedback({ eventType: 'Delivery', mail: { messageId: 'm1' } }, subscribers, ledger, NOW);
    expect(outcome).toBeUndefined();
    expect(subscribers.calls).toEqual([]);
    expect(ledger.seen.size).toBe(0);
  });

  it('suppresses each bounced address and reports how many changed', async () => {
    const subscribers = new FakeSuppressionList(
      new Map<string, SubscriberStatus>([
        ['a@x.org', 'active'],
        ['b@x.org', 'complained'],
      ]),
    );
    const ledger = new FakeLedger(edition({ status: 'sending', sent: 10 }));
    const outcome = await applyFeedback(hardBounce('m1', 'A@X.org', 'b@x.org', 'c@x.org'), subscribers, ledger, NOW);
    expect(outcome).toEqual({ kind: 'bounce', editionId: 'E1', recipients: 3, changed: 1 });
    expect(subscribers.statuses.get('a@x.org')).toBe('bounced');
    // A complaint says more than a bounce: it stays.
    expect(subscribers.statuses.get('b@x.org')).toBe('complained');
    expect(ledger.edition.bounced).toBe(1);
  });

  it('counts one SES message once per edition, however often it is delivered', async () => {
    const subscribers = new FakeSuppressionList(new Map([['a@x.org', 'active']]));
    const ledger = new FakeLedger(edition({ status: 'sending', sent: 10 }));
    await applyFeedback(hardBounce('m1', 'a@x.org'), subscribers, ledger, NOW);
    await applyFeedback(hardBounce('m1', 'a@x.org'), subscribers, ledger, NOW);
    expect(ledger.edition.bounced).toBe(1);
  });

  it('pauses a sending edition whose bounce rate crosses the rule, and says why', async () => {
    const subscribers = new FakeSuppressionList(new Map([['a@x.org', 'active']]));
    const ledger = new FakeLedger(edition({ status: 'sending', sent: 200, bounced: 10 }));
    const outcome = await applyFeedback(hardBounce('m11', 'a@x.org'), subscribers, ledger, NOW);
    expect(ledger.edition.status).toBe('paused');
    expect(outcome?.paused).toEqual({ editionId: 'E1', reason: expect.stringMatching(/bounce rate 5\.5 %/) });
  });

  it('does not pause an edition that has finished', async () => {
    const subscribers = new FakeSuppressionList(new Map([['a@x.org', 'active']]));
    const ledger = new FakeLedger(edition({ status: 'sent', sent: 200, bounced: 10 }));
    const outcome = await applyFeedback(hardBounce('m11', 'a@x.org'), subscribers, ledger, NOW);
    expect(ledger.edition.status).toBe('sent');
    expect(outcome?.paused).toBeUndefined();
  });

  it('suppresses a complaint without an edition tag and counts nothing', async () => {
    const subscribers = new FakeSuppressionList(new Map([['a@x.org', 'bounced']]));
    const ledger = new FakeLedger(edition({ status: 'sending' }));
    const outcome = await applyFeedback(
      {
        eventType: 'Complaint',
        mail: { messageId: 'm2' },
        complaint: { complainedRecipients: [{ emailAddress: 'a@x.org' }] },
      },
      subscribers,
      ledger,
      NOW,
    );
    expect(outcome).toEqual({ kind: 'complaint', recipients: 1, changed: 1 });
    expect(subscribers.statuses.get('a@x.org')).toBe('complained');
    expect(ledger.seen.size).toBe(0);
  });
});
