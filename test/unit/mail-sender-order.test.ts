import { describe, expect, it } from 'vitest';
import type { CompiledEdition } from '../../lambdas/core/digest/compiled-edition';
import { newEdition, type EditionRecord, type EditionStatus } from '../../lambdas/core/digest/edition';
import type { DeliveryRecord } from '../../lambdas/core/digest/deliveries';
import { MailSender, type DeliveriesRepository } from '../../lambdas/core/digest/mail-delivery';
import { SendThrottledError, type OutgoingMail, type PacedMailer } from '../../lambdas/core/digest/outgoing-mail';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import type { Subscriber } from '../../lambdas/core/subscribers/subscribers';
import { publication } from '../fixtures/digest-edition';

/**
 * Issue 10, finding 2: the claim is taken at the send. A crash while a recipient waits for its rate slot (or
 * backs off from throttling) must leave no `sending` claim behind, because such a claim is later recorded as an
 * unknown outcome and never sent. These fakes record the order of the sender's calls.
 */
const EMAIL = 'reader@order.test';
const edition: EditionRecord = {
  ...newEdition({
    id: 'ed-order',
    trigger: 'manual',
    window: { start: 'a', end: 'b' },
    reportIds: ['r1'],
    now: new Date(),
  }),
  status: 'sending',
  recipients: 1,
};
const compiled: CompiledEdition = {
  format: 'dispatch.compiled-edition.v1',
  editionId: edition.id,
  tier: 'free',
  subject: 'S',
  preheader: 'P',
  reportIds: ['r1'],
  html: { parts: ['<p>', '</p>'], slots: ['unsubscribeUrl'] },
  text: { parts: ['', ''], slots: ['unsubscribeUrl'] },
};
const reader: Subscriber = {
  email: EMAIL,
  subscriberId: '01JD8Z4X7RGQ5V3N2M1K0HJ9AB',
  tier: 'free',
  status: 'active',
  feedTokenVersion: 0,
  statusVersion: 0,
} as Subscriber;

function harness(options: {
  status?: () => EditionStatus;
  compileVersion?: () => number;
  sendOnce?: (mail: OutgoingMail) => Promise<{ messageId: string }>;
}) {
  const calls: string[] = [];
  const records = new Map<string, DeliveryRecord>();
  let slotGate: Promise<void> = Promise.resolve();
  const deliveries: Partial<DeliveriesRepository> = {
    getEdition: async () => edition,
    sendState: async () => {
      calls.push('status');
      return { status: options.status?.() ?? 'sending', compileVersion: options.compileVersion?.() ?? 0 };
    },
    getDeliveries: async () => new Map(records),
    claimDelivery: async (_id, key, record) => {
      calls.push(`claim:${record.status}`);
      const existing = records.get(key);
      if (existing) return { claimed: false, existing };
      records.set(key, record);
      return { claimed: true };
    },
    finishDelivery: async (_id, key, claimId, outcome) => {
      calls.push(`finish:${outcome.status}`);
      const existing = records.get(key);
      if (!existing || existing.claimId !== claimId) return false;
      records.set(key, { ...existing, ...outcome });
      return true;
    },
    releaseDelivery: async (_id, key) => {
      calls.push('release');
      records.delete(key);
    },
    reopenDelivery: async (_id, key) => records.delete(key),
    count: async () => edition,
    setStatus: async () => edition,
  };
  const mailer: PacedMailer = {
    slot: async () => {
      calls.push('slot');
      await slotGate;
    },
    sendOnce: async (mail) => {
      calls.push('send');
      return (options.sendOnce ?? (async () => ({ messageId: 'm1' })))(mail);
    },
    send: async () => expect.unreachable('the sender never uses the retrying send'),
  };
  const sender = new MailSender(
    deliveries as DeliveriesRepository,
    { getMany: async () => new Map([[EMAIL, reader]]) },
    { get: async () => compiled },
    mailer,
    new SubscriberTokens('x'.repeat(32)),
    publication,
    {
      sleep: async () => {
        calls.push('backoff');
      },
      random: () => 0.5,
    },
  );
  return { calls, records, sender, block: (gate: Promise<void>) => (slotGate = gate) };
}

describe('the claim at the send', () => {
  it('waits for the slot, reads the status, claims, calls SES once, records: in that order', async () => {
    const { calls, sender } = harness({});
    const outcome = await sender.send({ editionId: edition.id, emails: [EMAIL] });
    expect(outcome.errors).toEqual([]);
    expect(calls).toEqual(['slot', 'status', 'claim:sending', 'send', 'finish:sent']);
  });

  it('holds no claim while it waits for a rate slot', async () => {
    const { records, sender, block, calls } = harness({});
    block(new Promise(() => undefined)); // the slot never comes: the process dies waiting
    void sender.send({ editionId: edition.id, emails: [EMAIL] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toEqual(['slot']);
    expect(records.size).toBe(0);
  });

  it('gives the claim back before backing off from throttling, and claims again for the next attempt', async () => {
    let throttles = 2;
    const { calls, sender, records } = harness({
      sendOnce: async () => {
        if (throttles-- > 0) throw new SendThrottledError('slow down');
        return { messageId: 'm2' };
      },
    });
    await sender.send({ editionId: edition.id, emails: [EMAIL] });
    expect(calls).toEqual([
      ...['slot', 'status', 'claim:sending', 'send', 'release', 'backoff'],
      ...['slot', 'status', 'claim:sending', 'send', 'release', 'backoff'],
      ...['slot', 'status', 'claim:sending', 'send', 'finish:sent'],
    ]);
    expect(records.get([...records.keys()][0] ?? '')?.status).toBe('sent');
  });

  it('starts no SES call with a compile a resume replaced: the message is retried with the new one', async () => {
    // The editor corrected a report (pausing the edition) and resumed it after this message read the edition:
    // the status says sending again, but the mail in hand is the one compiled before the correction.
    const { calls, sender, records } = harness({ status: () => 'planning', compileVersion: () => 1 });
    const outcome = await sender.send({ editionId: edition.id, emails: [EMAIL] });
    expect(calls).toEqual(['slot', 'status']);
    expect(outcome).toMatchObject({ retry: true, outcomes: { retry: 1, sent: 0 } });
    expect(records.size).toBe(0);
  });

  it('starts no SES call once the edition is paused: the reader is deferred for the resume', async () => {
    const { calls, sender, records } = harness({ status: () => 'paused' });
    const outcome = await sender.send({ editionId: edition.id, emails: [EMAIL] });
    expect(calls).not.toContain('send');
    expect(outcome.outcomes.deferred).toBe(1);
    expect([...records.values()][0]).toMatchObject({ status: 'deferred', email: EMAIL });
  });
});
