import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, type SendEmailCommand, type SendEmailCommandOutput } from '@aws-sdk/client-sesv2';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigestsStore } from '../../lambdas/adapters/digests-store';
import {
  VaultCompiledEditions,
  VaultEditionSources,
  ActiveSubscriberPages,
} from '../../lambdas/adapters/edition-sources';
import { SesMailer, type SendEmailClient } from '../../lambdas/adapters/mailer';
import { ReportsStore } from '../../lambdas/adapters/reports-store';
import { SubscribersStore } from '../../lambdas/adapters/subscribers-store';
import { Vault } from '../../lambdas/adapters/vault';
import type { CompiledEdition } from '../../lambdas/core/digest/compiled-edition';
import type { ReaderTier } from '../../lambdas/core/shared/reader-tier';
import { EditionPlanner } from '../../lambdas/core/digest/edition-planner';
import { chunk, RECIPIENTS_PER_MESSAGE, type MailMessage } from '../../lambdas/core/digest/queue-messages';
import { newEdition, type EditionRecord } from '../../lambdas/core/digest/edition';
import { MailSender, type DeliveriesRepository } from '../../lambdas/core/digest/mail-delivery';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import type { Subscriber } from '../../lambdas/core/subscribers/subscribers';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import { startHarness, type Harness } from './harness';

/**
 * Exactly-once under faults, 1,000 recipients each: the sender and planner cores run in this process against
 * the emulators (no gateway, no queue pacing), and the SES emulator's store is the ground truth.
 */
const ACTIVE = 980;
const UNSUBSCRIBED = 20;

let harness: Harness;
let dynamo: DynamoDBClient;
let s3: S3Client;
let ses: SESv2Client;
let digests: DigestsStore;
let subscribers: SubscribersStore;
let compiled: VaultCompiledEditions;
let vault: Vault;
let tokens: SubscriberTokens;
let everyone: string[];
let clock = Date.now();

interface StoredMail {
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
  at: number;
}

const tiny = (editionId: string, tier: ReaderTier): CompiledEdition => {
  const slots = tier === 'paid' ? (['unsubscribeUrl', 'feedUrl'] as const) : (['unsubscribeUrl'] as const);
  const doc = {
    parts: ['<p>Edition ', ' ', ...(tier === 'paid' ? [' '] : [])].slice(0, slots.length + 1),
    slots: [...slots],
  };
  return {
    format: 'dispatch.compiled-edition.v1',
    editionId,
    tier,
    subject: `Edition ${editionId}`,
    preheader: 'Preheader',
    reportIds: ['r1'],
    html: doc,
    text: doc,
  };
};

/** Mails of one edition per recipient, from the emulator's store. */
async function deliveredPerRecipient(editionId: string): Promise<Map<string, number>> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  const counts = new Map<string, number>();
  for (const mail of emails) {
    if (mail.headers?.find((h) => h.name === 'X-Dispatch-Edition')?.value !== editionId) continue;
    for (const to of mail.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
}

async function newSendingEdition(): Promise<EditionRecord> {
  const id = ulid();
  const edition = newEdition({
    id,
    trigger: 'manual',
    window: { start: 'a', end: 'b' },
    reportIds: ['r1'],
    now: new Date(),
  });
  await digests.createEdition({ ...edition, status: 'sending', recipients: everyone.length, queued: everyone.length });
  for (const tier of ['free', 'paid'] as const) await compiled.put({ editionId: id, version: 0, tier }, tiny(id, tier));
  return edition;
}

function sender(client: SendEmailClient, deliveries: DeliveriesRepository = digests): MailSender {
  const mailer = new SesMailer(client, {
    fromAddress: harness.stack.publication.senderAddress,
    configurationSetName: 'dispatch-local',
    ratePerSecond: 5_000,
    baseDelayMs: 1,
    maxDelayMs: 4,
  });
  return new MailSender(deliveries, subscribers, compiled, mailer, tokens, harness.stack.publication, {
    now: () => new Date(clock),
    concurrency: 5,
  });
}

/** Delivers messages as SQS would (5 at a time), redelivering those that ask for it, until none do. */
async function deliverUntilDone(mailSender: MailSender, messages: MailMessage[], maxRounds = 20): Promise<number> {
  let pending = messages;
  let rounds = 0;
  while (pending.length > 0) {
    if ((rounds += 1) > maxRounds) throw new Error(`${pending.length} messages still pending`);
    const again: MailMessage[] = [];
    for (const group of chunk(pending, 5)) {
      const results = await Promise.all(group.map((message) => mailSender.send(message)));
      results.forEach((result, index) => result.retry && again.push(group[index] as MailMessage));
    }
    pending = again;
  }
  return rounds;
}

function expectExactlyOnce(counts: Map<string, number>): void {
  const active = everyone.slice(0, ACTIVE);
  expect(active.filter((email) => counts.get(email) !== 1)).toEqual([]);
  expect(everyone.slice(ACTIVE).filter((email) => counts.has(email))).toEqual([]);
}

beforeAll(async () => {
  harness = await startHarness();
  const { endpoints } = harness.stack;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  dynamo = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  s3 = new S3Client({ endpoint: endpoints.s3, region: endpoints.region, credentials, forcePathStyle: true });
  ses = new SESv2Client({ endpoint: endpoints.ses, region: endpoints.region, credentials, maxAttempts: 1 });
  digests = new DigestsStore(documents, endpoints.tables.Digests as string);
  subscribers = new SubscribersStore(documents, endpoints.tables.Subscribers as string);
  vault = new Vault(s3, endpoints.buckets.Vault as string);
  compiled = new VaultCompiledEditions(vault);
  tokens = new SubscriberTokens((await readFile(join(harness.dataDir, 'token-secret'), 'utf8')).trim());

  everyone = Array.from(
    { length: ACTIVE + UNSUBSCRIBED },
    (_, index) => `reader-${String(index).padStart(4, '0')}@faults.test`,
  );
  const at = new Date().toISOString();
  const items: Subscriber[] = everyone.map((email, index) => ({
    email,
    subscriberId: ulid(),
    tier: index % 5 === 0 ? 'paid' : 'free',
    status: index < ACTIVE ? 'active' : 'unsubscribed',
    feedTokenVersion: 0,
    createdAt: at,
    updatedAt: at,
  }));
  for (const batch of chunk(items, 25)) {
    await documents.send(
      new BatchWriteCommand({
        RequestItems: { [endpoints.tables.Subscribers as string]: batch.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  dynamo?.destroy();
  s3?.destroy();
  ses?.destroy();
  await harness?.close();
});

const messagesFor = (editionId: string): MailMessage[] =>
  chunk(everyone, RECIPIENTS_PER_MESSAGE).map((emails) => ({ editionId, emails }));

describe('mail sender under faults (1,000 recipients)', { timeout: 120_000 }, () => {
  it('sends once when the same batch is delivered twice, even concurrently', async () => {
    const edition = await newSendingEdition();
    const mailSender = sender(ses);
    const messages = messagesFor(edition.id);
    // SQS at-least-once: every message arrives twice, the copies racing each other.
    await Promise.all([deliverUntilDone(mailSender, messages), deliverUntilDone(mailSender, [...messages].reverse())]);

    expectExactlyOnce(await deliveredPerRecipient(edition.id));
    expect(await digests.getEdition(edition.id)).toMatchObject({
      status: 'sent',
      sent: ACTIVE,
      suppressed: UNSUBSCRIBED,
      failed: 0,
    });
  });

  it('never sends twice after a crash between SES accepting a mail and recording it', async () => {
    const edition = await newSendingEdition();
    let crashes = 0;
    // Dies after SES said yes and before the delivery is marked sent, for every 50th recipient, once each.
    const crashing: DeliveriesRepository = Object.assign(Object.create(digests) as DigestsStore, {
      finishDelivery: async (...args: Parameters<DigestsStore['finishDelivery']>) => {
        if (args[3].status === 'sent' && (crashes += 1) % 50 === 0) throw new Error('process died');
        return digests.finishDelivery(...args);
      },
    });
    const messages = messagesFor(edition.id);
    let crashed = 0;
    const crashingSender = sender(ses, crashing);
    for (const group of chunk(messages, 5)) {
      const results = await Promise.all(group.map((message) => crashingSender.send(message)));
      crashed += results.reduce((sum, result) => sum + result.errors.length, 0);
    }
    expect(crashed).toBeGreaterThan(10);

    clock += 10 * 60_000; // the redelivery comes after the lease: those claims belong to dead invocations
    await deliverUntilDone(sender(ses), messages);

    expectExactlyOnce(await deliveredPerRecipient(edition.id));
    // Those readers did get their mail, but nothing recorded it: they are unknown, listed, never sent again.
    expect(await digests.getEdition(edition.id)).toMatchObject({
      status: 'sent-with-gaps',
      reason: expect.stringContaining(`${crashed} unknown`),
      sent: ACTIVE - crashed,
      failed: 0,
      unknown: crashed,
      suppressed: UNSUBSCRIBED,
    });
    const unknown = await digests.deliveriesWithStatus(edition.id, 'unknown');
    expect(unknown).toHaveLength(crashed);
    for (const { record } of unknown) expect(everyone).toContain(record.email);
  });

  it('delivers everyone once while SES throttles 30 % of sends', async () => {
    const edition = await newSendingEdition();
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let throttled = 0;
    const throttling: SendEmailClient = {
      send(command: SendEmailCommand): Promise<SendEmailCommandOutput> {
        if (random() < 0.3) {
          throttled += 1;
          return Promise.reject(
            Object.assign(new Error('Too many requests'), {
              name: 'TooManyRequestsException',
              $metadata: { httpStatusCode: 429 },
            }),
          );
        }
        return ses.send(command);
      },
    };
    const rounds = await deliverUntilDone(sender(throttling), messagesFor(edition.id));

    expect(throttled).toBeGreaterThan(250);
    expect(rounds).toBeGreaterThanOrEqual(1);
    expectExactlyOnce(await deliveredPerRecipient(edition.id));
    expect(await digests.getEdition(edition.id)).toMatchObject({ status: 'sent', sent: ACTIVE, failed: 0 });
  });

  it('makes one edition of a duplicated schedule fire and mails each reader once', async () => {
    const response = await harness.api('/api/reports', {
      method: 'POST',
      json: {
        title: 'Fault drill report',
        summary: 'A short summary.',
        body: 'Body text.',
        tier: 'complimentary',
        series: 'grid-watch',
      },
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const planner = new EditionPlanner(
      digests,
      new VaultEditionSources(
        new ReportsStore(DynamoDBDocumentClient.from(dynamo), harness.stack.endpoints.tables.Reports as string),
        vault,
      ),
      compiled,
      compileEdition,
      harness.stack.publication,
    );
    const queued: MailMessage[] = [];
    const fanOut = {
      recipients: new ActiveSubscriberPages(subscribers),
      mailQueue: { sendAll: async (messages: readonly MailMessage[]) => void queued.push(...messages) },
    };
    const scheduledTime = new Date(Date.now() + 1000);
    const [a, b] = await Promise.all([
      planner.create(scheduledTime, 'schedule', new Date()),
      planner.create(scheduledTime, 'schedule', new Date()),
    ]);
    expect(a.kind !== 'empty' && b.kind !== 'empty').toBe(true);
    const editionId = a.kind === 'empty' ? '' : a.edition.id;
    expect(b.kind === 'empty' ? '' : b.edition.id).toBe(editionId);
    expect([a.kind, b.kind].sort()).toEqual(['created', 'duplicate']);

    await Promise.all([
      planner.plan(editionId, fanOut, () => new Date()),
      planner.plan(editionId, fanOut, () => new Date()),
    ]);
    expect(queued.flatMap((message) => message.emails).length).toBeGreaterThanOrEqual(ACTIVE);
    await deliverUntilDone(sender(ses), queued);

    expectExactlyOnce(await deliveredPerRecipient(editionId));
    expect(await digests.getEdition(editionId)).toMatchObject({ status: 'sent', recipients: ACTIVE, sent: ACTIVE });
    expect((await planner.create(scheduledTime, 'schedule', new Date())).kind).toBe('empty');
  });
});
