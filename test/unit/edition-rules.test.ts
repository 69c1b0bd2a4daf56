import { describe, expect, it } from 'vitest';
import { DELIVERY_LEASE_MS, existingDeliveryAction } from '../../lambdas/core/digest/deliveries';
import { finalStatus, isComplete, newEdition, type EditionRecord } from '../../lambdas/core/digest/edition';
import { isEmptyWindow, nextWindow } from '../../lambdas/core/digest/edition-windows';
import { pauseReason } from '../../lambdas/core/digest/pause-rules';
import { planMessageSchema } from '../../lambdas/core/digest/queue-messages';
import { feedbackAction } from '../../lambdas/core/digest/feedback';

const end = new Date('2026-11-30T07:00:00Z');
const edition = (overrides: Partial<EditionRecord> = {}): EditionRecord => ({
  ...newEdition({ id: 'E1', trigger: 'schedule', window: { start: 'a', end: 'b' }, reportIds: [], now: end }),
  ...overrides,
});

describe('edition windows', () => {
  it('starts where the last edition ended', () => {
    expect(nextWindow('2026-11-23T07:00:00.000Z', end)).toEqual({
      start: '2026-11-23T07:00:00.000Z',
      end: '2026-11-30T07:00:00.000Z',
    });
  });

  it('reaches back seven days for the first edition', () => {
    expect(nextWindow(undefined, end).start).toBe('2026-11-23T07:00:00.000Z');
  });

  it('is empty when fired again for the same end (a duplicate schedule fire) or an earlier one', () => {
    expect(isEmptyWindow(nextWindow(end.toISOString(), end))).toBe(true);
    expect(isEmptyWindow(nextWindow('2026-12-01T00:00:00.000Z', end))).toBe(true);
  });

  it('accepts schedule and edition plan messages only', () => {
    expect(planMessageSchema.safeParse({ trigger: 'schedule', scheduledTime: '2026-11-30T07:00:00Z' }).success).toBe(
      true,
    );
    expect(planMessageSchema.safeParse({ editionId: 'E1' }).success).toBe(true);
    expect(planMessageSchema.safeParse({ trigger: 'schedule', scheduledTime: 'monday' }).success).toBe(false);
  });
});

describe('completion', () => {
  it('completes when every recipient has an outcome, and only while sending', () => {
    expect(isComplete(edition({ status: 'sending', recipients: 10, sent: 7, failed: 1, suppressed: 2 }))).toBe(true);
    expect(isComplete(edition({ status: 'sending', recipients: 10, sent: 7 }))).toBe(false);
    expect(isComplete(edition({ status: 'planning', sent: 7 }))).toBe(false);
    expect(isComplete(edition({ status: 'paused', recipients: 1, sent: 1 }))).toBe(false);
    expect(finalStatus(edition({ sent: 5, suppressed: 2 }))).toEqual({ status: 'sent' });
    expect(finalStatus(edition({ sent: 1, failed: 3 }))).toEqual({ status: 'sent-with-gaps', reason: '3 failed' });
    expect(finalStatus(edition({ sent: 1, unknown: 2 })).reason).toMatch(/^2 unknown/);
  });
});

describe('bounce and complaint rates', () => {
  it('pauses above 5 % bounces once 200 mails are out', () => {
    expect(pauseReason({ sent: 199, bounced: 50, complained: 0 })).toBeUndefined();
    expect(pauseReason({ sent: 200, bounced: 10, complained: 0 })).toBeUndefined();
    expect(pauseReason({ sent: 200, bounced: 11, complained: 0 })).toMatch(/bounce rate 5\.5 %/);
  });

  it('pauses above 0.1 % complaints, never for a single complaint', () => {
    expect(pauseReason({ sent: 500, bounced: 0, complained: 1 })).toBeUndefined();
    expect(pauseReason({ sent: 2000, bounced: 0, complained: 2 })).toBeUndefined();
    expect(pauseReason({ sent: 1000, bounced: 0, complained: 2 })).toMatch(/complaint rate 0\.20 %/);
  });

  it('reads hard bounces and complaints from SES events and ignores the rest', () => {
    const mail = { messageId: 'm1', tags: { edition: ['E1'] } };
    expect(
      feedbackAction({
        eventType: 'Bounce',
        mail,
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'A@X.org' }] },
      }),
    ).toMatchObject({ kind: 'bounce', editionId: 'E1', emails: ['a@x.org'], status: 'bounced' });
    expect(
      feedbackAction({ eventType: 'Bounce', mail, bounce: { bounceType: 'Transient', bouncedRecipients: [] } }),
    ).toBeUndefined();
    expect(
      feedbackAction({
        eventType: 'Complaint',
        mail,
        complaint: { complainedRecipients: [{ emailAddress: 'b@x.org' }] },
      }),
    ).toMatchObject({
      kind: 'complaint',
      status: 'complained',
    });
    expect(feedbackAction({ eventType: 'Delivery', mail })).toBeUndefined();
    expect(feedbackAction('nonsense')).toBeUndefined();
  });
});

describe('existing deliveries', () => {
  const claimedAt = '2026-11-30T07:00:00.000Z';
  it('skips finished ones, waits on a live claim and gives up a dead one without resending', () => {
    expect(existingDeliveryAction({ status: 'sent', claimId: 'c', claimedAt }, end)).toBe('skip');
    expect(existingDeliveryAction({ status: 'suppressed', claimId: 'c', claimedAt }, end)).toBe('skip');
    expect(existingDeliveryAction({ status: 'sending', claimId: 'c', claimedAt }, new Date(end.getTime() + 1000))).toBe(
      'wait',
    );
    expect(
      existingDeliveryAction(
        { status: 'sending', claimId: 'c', claimedAt },
        new Date(end.getTime() + DELIVERY_LEASE_MS),
      ),
    ).toBe('give-up');
  });
});
