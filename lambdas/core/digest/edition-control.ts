import { ACTIVE_EDITION_STATUSES, type EditionRecord, type EditionStatus, type EditionStatusWriter } from './edition';
import { DELIVERY_LEASE_MS, type DeliveryRecord, type DeliveryStatus } from './deliveries';
import type { PlanMessage } from './queue-messages';

/**
 * An operator's hand on an edition: pause, resume, cancel, send the unknown outcomes again, list deliveries.
 * Pure decisions over ports; the digests API and the reports API (an unpublish or a correction pauses the
 * editions still sending that report) call it.
 *
 * - Pause takes effect at the sender's next recipient: it reads the status right before every SES call, so once
 *   pause has answered no new call starts. Readers reached while paused are recorded `deferred`.
 * - Resume compiles the edition again from the table's current state (once per tier, under a new compile
 *   version) and then sends the deferred readers and the rest.
 * - Cancel is final: readers not yet mailed are recorded `not-sent`.
 */
export interface EditionControlStore extends EditionStatusWriter {
  getEdition(id: string): Promise<EditionRecord | undefined>;
  resume(id: string, at: Date): Promise<EditionRecord | undefined>;
  editionsWithReport(reportId: string): Promise<string[]>;
  deliveriesWithStatus(editionId: string, status: DeliveryStatus): Promise<{ key: string; record: DeliveryRecord }[]>;
}

export interface PlanQueuePort {
  send(message: PlanMessage): Promise<void>;
}

export type ControlOutcome =
  | { kind: 'done'; edition: EditionRecord }
  | { kind: 'not-found' }
  | { kind: 'conflict'; edition: EditionRecord; message: string };

export interface DeliveryListing {
  email: string;
  status: DeliveryStatus;
  claimedAt: string;
  reason?: string;
}

export class EditionControl {
  constructor(
    private readonly store: EditionControlStore,
    private readonly plans: PlanQueuePort,
  ) {}

  pause(id: string, reason: string, now: Date): Promise<ControlOutcome> {
    return this.move(id, ACTIVE_EDITION_STATUSES, 'paused', now, reason, 'only a planning or sending edition');
  }

  cancel(id: string, now: Date): Promise<ControlOutcome> {
    return this.move(
      id,
      ['planning', 'sending', 'paused'],
      'cancelled',
      now,
      'cancelled by an operator; readers not yet mailed will not be',
      'a finished edition',
    );
  }

  async resume(id: string, now: Date): Promise<ControlOutcome> {
    const resumed = await this.store.resume(id, now);
    if (!resumed) return this.refused(id, 'only a paused edition can be resumed');
    await this.plans.send({ editionId: id });
    return { kind: 'done', edition: resumed };
  }

  /** Queues the unknown outcomes for a second send (the planner reopens each once); the edition says when done. */
  async retryUnknown(id: string): Promise<ControlOutcome> {
    const edition = await this.store.getEdition(id);
    if (!edition) return { kind: 'not-found' };
    if (!['sending', 'sent-with-gaps'].includes(edition.status) || (edition.unknown ?? 0) === 0) {
      return { kind: 'conflict', edition, message: 'the edition has no unknown outcomes to send again' };
    }
    await this.plans.send({ editionId: id, retryUnknown: true });
    return { kind: 'done', edition };
  }

  async deliveries(id: string, outcome: DeliveryStatus): Promise<DeliveryListing[] | undefined> {
    if (!(await this.store.getEdition(id))) return undefined;
    const found = await this.store.deliveriesWithStatus(id, outcome);
    return found.map(({ record }) => ({
      email: record.email ?? '(not recorded)',
      status: record.status,
      claimedAt: record.claimedAt,
      ...(record.reason ? { reason: record.reason } : {}),
    }));
  }

  private async move(
    id: string,
    from: readonly EditionStatus[],
    to: EditionStatus,
    now: Date,
    reason: string,
    refusal: string,
  ): Promise<ControlOutcome> {
    const moved = await this.store.setStatus(id, from, to, now, reason);
    if (moved) return { kind: 'done', edition: moved };
    return this.refused(
      id,
      `the edition is ${(await this.store.getEdition(id))?.status ?? 'gone'}: ${refusal} can be ${to === 'paused' ? 'paused' : 'cancelled'}`,
    );
  }

  private async refused(id: string, message: string): Promise<ControlOutcome> {
    const edition = await this.store.getEdition(id);
    if (!edition) return { kind: 'not-found' };
    return { kind: 'conflict', edition, message };
  }
}

/**
 * Unpublishing or correcting a report pauses every edition still planning or sending it, with a reason naming
 * the report; the operator resumes (the mail is then compiled from the table as it is) or cancels. Returns the
 * ids of the editions it paused.
 */
export async function pauseEditionsWithReport(
  store: Pick<EditionControlStore, 'editionsWithReport' | 'setStatus'>,
  reportId: string,
  reason: string,
  now: Date,
): Promise<string[]> {
  const paused: string[] = [];
  for (const id of await store.editionsWithReport(reportId)) {
    if (await store.setStatus(id, ACTIVE_EDITION_STATUSES, 'paused', now, reason)) paused.push(id);
  }
  return paused;
}

/**
 * Before a stalled edition is re-counted: claims left `sending` past their lease belong to senders that died
 * (a crash, or a message dead-lettered before any redelivery outlived the lease). Each becomes an `unknown`
 * record, so the reader is listed (`deliveries?outcome=unknown`) and retry-unknown can reach them, instead of
 * being counted unknown while the record still says `sending`. Returns how many were settled.
 */
export async function settleDeadClaims(
  store: Pick<EditionControlStore, 'deliveriesWithStatus'> & {
    finishDelivery(
      editionId: string,
      key: string,
      claimId: string,
      outcome: { status: 'unknown'; reason: string },
      at: Date,
    ): Promise<boolean>;
  },
  editionId: string,
  now: Date,
  leaseMs = DELIVERY_LEASE_MS,
): Promise<number> {
  let settled = 0;
  for (const { key, record } of await store.deliveriesWithStatus(editionId, 'sending')) {
    if (now.getTime() - Date.parse(record.claimedAt) < leaseMs) continue;
    const outcome = { status: 'unknown' as const, reason: 'unknown-outcome' };
    if (await store.finishDelivery(editionId, key, record.claimId, outcome, now)) settled += 1;
  }
  return settled;
}
