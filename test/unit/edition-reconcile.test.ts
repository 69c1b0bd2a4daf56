import { describe, expect, it, vi } from 'vitest';
import { reconcileIfStalled, type ReconcileStore } from '../../lambdas/core/digest/edition-reconcile';
import { needsReconciliation, reconciledStatus, tallyDeliveries } from '../../lambdas/core/digest/reconciliation';
import { type EditionRecord } from '../../lambdas/core/digest/edition';

const NOW = new Date('2026-11-25T10:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const edition = (overrides: Partial<EditionRecord> = {}): EditionRecord =>
  ({
    id: 'E1',
    status: 'sending',
    trigger: 'manual',
    windowStart: minutesAgo(600),
    windowEnd: minutesAgo(60),
    reportIds: ['R1'],
    createdAt: minutesAgo(60),
    updatedAt: minutesAgo(5),
    recipients: 4,
    queued: 4,
    sent: 1,
    failed: 0,
    suppressed: 0,
    notSent: 0,
    bounced: 0,
    complained: 0,
    ...overrides,
  }) as EditionRecord;

describe('edition reconciliation', () => {
  it('is needed only for a sending edition whose counters fell short and stopped moving', () => {
    expect(needsReconciliation(edition(), NOW)).toBe(true);
    expect(needsReconciliation(edition({ updatedAt: minutesAgo(1) }), NOW)).toBe(false);
    expect(needsReconciliation(edition({ sent: 4 }), NOW)).toBe(false);
    expect(needsReconciliation(edition({ status: 'paused' }), NOW)).toBe(false);
  });

  it('tallies delivery records, counting a claim past its lease as unknown', () => {
    const tally = tallyDeliveries(
      [
        { status: 'sent', claimedAt: minutesAgo(10) },
        { status: 'sent', claimedAt: minutesAgo(10) },
        { status: 'suppressed', claimedAt: minutesAgo(10) },
        { status: 'sending', claimedAt: minutesAgo(10) },
        { status: 'sending', claimedAt: new Date(NOW.getTime() - 1000).toISOString() },
      ],
      NOW,
    );
    expect(tally).toEqual({ sent: 2, failed: 0, suppressed: 1, notSent: 0, unknown: 1 });
  });

  it('finishes the edition when every recipient is accounted for, or gives up with a reason after the redrive', () => {
    const complete = { sent: 3, failed: 0, suppressed: 1, notSent: 0, unknown: 0 };
    expect(reconciledStatus(edition(), complete, NOW)).toEqual({ status: 'sent' });
    const withUnknown = { sent: 3, failed: 0, suppressed: 0, notSent: 0, unknown: 1 };
    expect(reconciledStatus(edition(), withUnknown, NOW)).toMatchObject({
      status: 'sent-with-gaps',
      reason: expect.stringContaining('1 unknown'),
    });
    const short = { sent: 2, failed: 0, suppressed: 0, notSent: 0, unknown: 0 };
    expect(reconciledStatus(edition(), short, NOW)).toEqual({ status: 'sending' });
    expect(reconciledStatus(edition({ updatedAt: minutesAgo(20) }), short, NOW)).toMatchObject({
      status: 'sent-with-gaps',
      reason: expect.stringContaining('2 recipient(s) have no delivery record'),
    });
  });
});

describe('reconciling on read', () => {
  const store = (stored: EditionRecord) => {
    const fake = {
      getEdition: vi.fn(async () => stored),
      deliveryOutcomes: vi.fn(async () => [
        { status: 'sent' as const, claimedAt: minutesAgo(10) },
        { status: 'sending' as const, claimedAt: minutesAgo(10) },
      ]),
      reconcile: vi.fn<ReconcileStore['reconcile']>(async (_id, tally, status) => ({ ...stored, ...tally, status })),
      deliveriesWithStatus: vi.fn(async () => [
        {
          key: 'TO#a',
          record: { email: 'a@example.org', status: 'sending' as const, claimId: 'c1', claimedAt: minutesAgo(10) },
        },
      ]),
      finishDelivery: vi.fn(async () => true),
    };
    return fake;
  };

  it('leaves an edition that is moving alone', async () => {
    const moving = edition({ updatedAt: minutesAgo(1) });
    const fake = store(moving);
    expect(await reconcileIfStalled(fake, moving, NOW)).toEqual({ edition: moving });
    expect(fake.reconcile).not.toHaveBeenCalled();
  });

  it('settles dead claims, then replaces the counters with the tally of a stalled edition', async () => {
    const stalled = edition({ recipients: 2, queued: 2, sent: 0 });
    const fake = store(stalled);
    const { edition: current, recount } = await reconcileIfStalled(fake, stalled, NOW);
    expect(fake.finishDelivery).toHaveBeenCalledWith(
      'E1',
      'TO#a',
      'c1',
      { status: 'unknown', reason: 'unknown-outcome' },
      NOW,
    );
    expect(recount).toEqual({ sent: 1, failed: 0, suppressed: 0, notSent: 0, unknown: 1, status: 'sent-with-gaps' });
    expect(current.status).toBe('sent-with-gaps');
  });
});
