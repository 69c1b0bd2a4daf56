import { describe, expect, it } from 'vitest';
import { needsReconciliation, reconciledStatus, tallyDeliveries } from '../../lambdas/core/digest/reconciliation';
import type { EditionRecord } from '../../lambdas/core/digest/edition';

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
