import { describe, expect, it } from 'vitest';
import type { CompiledEdition, CompiledEditionRef, RecipientToken } from '../../lambdas/core/digest/compiled-edition';
import { newEdition, type EditionRecord } from '../../lambdas/core/digest/edition';
import type { DeliveryRecord } from '../../lambdas/core/digest/deliveries';
import { MailSender, type DeliveriesRepository } from '../../lambdas/core/digest/mail-delivery';
import type { OutgoingMail, PacedMailer } from '../../lambdas/core/digest/outgoing-mail';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import type { Subscriber } from '../../lambdas/core/subscribers/subscribers';
import { publication } from '../fixtures/digest-edition';

/**
 * Issue 16 item 2: the sender loads the compiled edition of the message's combination, in the tier the reader
 * holds at send time (both tiers are stored per combination), for the edition's current compile version; a
 * message queued before readers chose series loads the whole edition. Every mail carries the manage link.
 */
const EMAIL = 'reader@series.test';
const edition: EditionRecord = {
  ...newEdition({
    id: 'ed-s',
    trigger: 'manual',
    window: { start: 'a', end: 'b' },
    reportIds: ['r1'],
    now: new Date(),
  }),
  status: 'sending',
  recipients: 1,
  compileVersion: 2,
};
// Upgraded to paid after the planner grouped them.
const reader = {
  email: EMAIL,
  subscriberId: '01JD8Z4X7RGQ5V3N2M1K0HJ9AB',
  tier: 'paid',
  status: 'active',
  feedTokenVersion: 0,
  statusVersion: 0,
  series: ['grid-watch'],
} as Subscriber;
const tokens = new SubscriberTokens('x'.repeat(32));

function document(ref: CompiledEditionRef): CompiledEdition {
  const slots: RecipientToken[] = [
    'unsubscribeUrl',
    'manageUrl',
    ...(ref.tier === 'paid' ? (['feedUrl'] as const) : []),
  ];
  const split = { parts: ['<p>', ...slots.map(() => '|')], slots };
  return {
    format: 'dispatch.compiled-edition.v1',
    editionId: ref.editionId,
    tier: ref.tier,
    subject: 'S',
    preheader: 'P',
    reportIds: ['r1'],
    ...(ref.series === undefined ? {} : { series: ref.series }),
    html: split,
    text: split,
  };
}

function setUp() {
  const loaded: CompiledEditionRef[] = [];
  const sent: OutgoingMail[] = [];
  const records = new Map<string, DeliveryRecord>();
  const deliveries: Partial<DeliveriesRepository> = {
    getEdition: async () => edition,
    sendState: async () => ({ status: 'sending', compileVersion: 2 }),
    getDeliveries: async () => new Map(records),
    claimDelivery: async (_id, key, record) => {
      records.set(key, record);
      return { claimed: true };
    },
    finishDelivery: async () => true,
    count: async () => edition,
    setStatus: async () => edition,
  };
  const mailer: PacedMailer = {
    slot: async () => undefined,
    sendOnce: async (mail) => {
      sent.push(mail);
      return { messageId: `m${sent.length}` };
    },
    send: async () => expect.unreachable('the sender never uses the retrying send'),
  };
  const sender = new MailSender(
    deliveries as DeliveriesRepository,
    { getMany: async () => new Map([[EMAIL, reader]]) },
    {
      get: async (ref) => {
        loaded.push(ref);
        return document(ref);
      },
    },
    mailer,
    tokens,
    publication,
  );
  return { loaded, sent, sender };
}

describe('the sender and series combinations', () => {
  it('loads the message’s combination in the reader’s tier at send time, for the current compile version', async () => {
    const { loaded, sender } = setUp();
    await sender.send({ editionId: edition.id, emails: [EMAIL], series: 'grid-watch' });
    expect(loaded).toEqual([{ editionId: edition.id, version: 2, tier: 'paid', series: 'grid-watch' }]);
  });

  it('loads the whole edition for a message queued before readers chose series', async () => {
    const { loaded, sender } = setUp();
    await sender.send({ editionId: edition.id, emails: [EMAIL] });
    expect(loaded).toEqual([{ editionId: edition.id, version: 2, tier: 'paid' }]);
  });

  it('puts the reader’s own manage link in the HTML and text', async () => {
    const { sent, sender } = setUp();
    await sender.send({ editionId: edition.id, emails: [EMAIL], series: 'grid-watch' });
    const manage = `${publication.siteUrl}/api/subscribers/manage?token=${tokens.manageToken(reader.subscriberId)}`;
    expect(sent[0]?.html).toContain(manage);
    expect(sent[0]?.text).toContain(manage);
  });
});
