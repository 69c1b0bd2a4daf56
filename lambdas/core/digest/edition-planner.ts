import { ulid } from 'ulid';
import { buildEditionContent, editionViews, type EditionContent } from './edition-content';
import { READER_TIERS, type ReaderTier } from '../shared/reader-tier';
import { personalise } from './personalise';
import type { CompiledEdition } from './compiled-edition';
import { chunk, PLAN_PAGE_SIZE, RECIPIENTS_PER_MESSAGE, type MailMessage } from './queue-messages';
import {
  finalStatus,
  isComplete,
  newEdition,
  type EditionCounter,
  type EditionRecord,
  type EditionStatusWriter,
} from './edition';
import { capWindow, isEmptyWindow, nextWindow, windowBoundInstant, type EditionWindow } from './edition-windows';
import type { DeliveryRecord, DeliveryStatus } from './deliveries';
import type { Publication } from '../shared/publication';
import { previewRecipientUrls } from '../shared/reader-urls';
import type { PaidPart, ReportRecord } from '../reports/report';
import { loadPaidParts } from '../paywall/tiers';
import { compileForTier, type Compile } from './tier-compile';
import { shortenedReportsOf, type ShortenedReports } from './clip-rule';
import type { EditionToPublish } from './edition-pages';

export { compiledEditionText, type Compile } from './tier-compile';

/** Ports of the planner; the DynamoDB, S3 and SQS adapters implement them. */
export interface EditionsRepository extends EditionStatusWriter {
  head(): Promise<{ windowEnd: string; editionId: string } | undefined>;
  advanceHead(window: EditionWindow, editionId: string): Promise<void>;
  claimWindow(claim: WindowClaimInput): Promise<{ claimed: true } | { claimed: false; existing: WindowClaimInput }>;
  createEdition(edition: EditionRecord): Promise<boolean>;
  getEdition(id: string): Promise<EditionRecord | undefined>;
  markCompiled(id: string, at: Date): Promise<void>;
  recordPlannedPage(
    id: string,
    page: number,
    nextCursor: string | undefined,
    count: number,
    at: Date,
  ): Promise<boolean>;
  finishPlanning(id: string, at: Date): Promise<EditionRecord | undefined>;
  count(id: string, counters: Partial<Record<EditionCounter, number>>, at: Date): Promise<EditionRecord>;
  deliveriesWithStatus(editionId: string, status: DeliveryStatus): Promise<{ key: string; record: DeliveryRecord }[]>;
  reopenDelivery(editionId: string, key: string, status: DeliveryStatus): Promise<boolean>;
  /** Lists more reports in the edition (and under each report), before its mail is compiled with them. */
  addReports(editionId: string, reportIds: readonly string[]): Promise<void>;
}

export interface WindowClaimInput {
  editionId: string;
  windowStart: string;
  windowEnd: string;
  trigger: EditionRecord['trigger'];
  createdAt: string;
  reportIds: string[];
}

export interface EditionSources {
  /** The window's live reports that may be mailed (not `mail: false`), oldest listing key first, at most `limit`. */
  inWindow(window: EditionWindow, limit: number): Promise<ReportRecord[]>;
  /** The earliest publishAt ≤ `now` of a report the sweeper has not listed yet, if any. */
  earliestUnlistedPublication(now: Date): Promise<string | undefined>;
  paidPart(ref: string): Promise<PaidPart>;
}

export interface CompiledEditionsStore {
  put(editionId: string, tier: ReaderTier, compiled: CompiledEdition, version?: number): Promise<void>;
}

export interface RecipientPages {
  /** Emails of active subscribers, one page at a time; `cursor` is opaque. */
  activePage(limit: number, cursor?: string): Promise<{ emails: string[]; next?: string }>;
}

export interface MailQueuePort {
  sendAll(messages: readonly MailMessage[]): Promise<void>;
}

/** Only the planner Lambda may read subscribers and write the mail queue; the API function never gets these. */
export interface FanOut {
  recipients: RecipientPages;
  mailQueue: MailQueuePort;
  /** The edition's web pages (edition-pages.ts), written when it is compiled; the planner Lambda's grant alone. */
  pages?: { publish(edition: EditionToPublish): Promise<void> };
}

export type CreateOutcome =
  | { kind: 'created'; edition: EditionRecord }
  | { kind: 'duplicate'; edition: EditionRecord }
  | { kind: 'empty'; window: EditionWindow };

/** The free edition still holds subscriber-only text after every stub: it must not go out, or be previewed. */
export class EditionLeakError extends Error {
  override readonly name = 'EditionLeakError';
  constructor() {
    super('The leak scan found subscriber-only text in the free edition that no stub could remove');
  }
}

/** What the leak scan found in a free edition before its first send (ids only, never text). */
export interface EditionLeakFinding {
  editionId: string;
  reportIds: string[];
  stubbed: string[];
  action: 'stubbed' | 'paused';
}

/**
 * Creates editions (one per window, however many triggers fire) and plans them: two compiles, then every
 * active subscriber fanned out to the mail queue in small batches. Planning can be repeated safely: progress is
 * recorded per page with conditional writes, and a page enqueued twice (crash between send and record) is
 * harmless because the sender keeps one delivery record per recipient.
 */
export class EditionPlanner {
  constructor(
    private readonly editions: EditionsRepository,
    private readonly sources: EditionSources,
    private readonly compiled: CompiledEditionsStore,
    private readonly compile: Compile,
    private readonly publication: Publication,
    private readonly onLeak: (finding: EditionLeakFinding) => void = () => undefined,
  ) {}

  /** The window the next edition would cover if it closed at `end` (see {@link nextEdition}). */
  async nextWindow(end: Date): Promise<EditionWindow> {
    return (await this.nextEdition(end)).window;
  }

  /**
   * The next edition's window and reports. The window closes before any report whose publishAt has come but
   * which the release sweeper has not listed yet (it runs every minute): such a report belongs to the next
   * edition, not to none. It also closes right after the oldest `digest.maxReports` mailable reports when there
   * are more: the rest open the next edition, which `POST /api/digests` can send at once.
   */
  private async nextEdition(end: Date): Promise<{ window: EditionWindow; reports: ReportRecord[] }> {
    const pending = await this.sources.earliestUnlistedPublication(end);
    const closes = pending && Date.parse(pending) < end.getTime() ? new Date(pending) : end;
    const window = nextWindow((await this.editions.head())?.windowEnd, closes);
    if (isEmptyWindow(window)) return { window, reports: [] };
    const cap = this.publication.digest.maxReports;
    // One more than the cap tells whether any are left over for the next edition.
    return capWindow(window, await this.sources.inWindow(window, cap + 1), cap);
  }

  async create(end: Date, trigger: EditionRecord['trigger'], now: Date): Promise<CreateOutcome> {
    const { window, reports } = await this.nextEdition(end);
    if (reports.length === 0) return { kind: 'empty', window };

    const claim: WindowClaimInput = {
      editionId: ulid(now.getTime()),
      windowStart: window.start,
      windowEnd: window.end,
      trigger,
      createdAt: now.toISOString(),
      reportIds: reports.map((report) => report.id),
    };
    const claimed = await this.editions.claimWindow(claim);
    // Another trigger claimed this start first: converge on its edition (and finish creating it if that
    // trigger died half way) instead of making a second one.
    const owner = claimed.claimed ? claim : claimed.existing;
    const ownerWindow = { start: owner.windowStart, end: owner.windowEnd };
    const edition = newEdition({
      id: owner.editionId,
      trigger: owner.trigger,
      window: ownerWindow,
      reportIds: owner.reportIds ?? [],
      now: new Date(owner.createdAt),
    });
    await this.editions.createEdition(edition);
    await this.editions.advanceHead(ownerWindow, owner.editionId);
    const stored = (await this.editions.getEdition(owner.editionId)) ?? edition;
    return { kind: claimed.claimed ? 'created' : 'duplicate', edition: stored };
  }

  /** Compiles (once) and fans out the remaining pages; returns the edition as planning left it. */
  async plan(editionId: string, fanOut: FanOut, now: () => Date): Promise<EditionRecord | undefined> {
    let edition = await this.editions.getEdition(editionId);
    if (!edition || edition.status !== 'planning') return edition;
    const window = { start: edition.windowStart, end: edition.windowEnd };

    if (!edition.compiledAt) {
      const content = await this.contentFor(edition.id, new Date(edition.windowEnd), window);
      // A report the window brings in that the claim did not list (written late, or republished into the window
      // while the edition was paused) is registered first, so unpublishing or correcting it pauses this edition.
      const added = content?.reports.map((report) => report.id).filter((id) => !edition?.reportIds.includes(id)) ?? [];
      if (added.length > 0) await this.editions.addReports(edition.id, added);
      if (!content) {
        return this.editions.setStatus(
          edition.id,
          ['planning'],
          'cancelled',
          now(),
          'every report of the edition was unpublished before its mail was compiled; no further mail is sent',
        );
      }
      const compiled: Partial<Record<ReaderTier, CompiledEdition>> = {};
      for (const tier of READER_TIERS) {
        const guarded = await this.compileGuarded(content[tier], content.reports);
        if (!guarded) {
          return this.editions.setStatus(
            edition.id,
            ['planning'],
            'paused',
            now(),
            'the leak scan found subscriber-only text in the free edition that no stub could remove; nothing was sent',
          );
        }
        compiled[tier] = guarded;
      }
      for (const tier of READER_TIERS) {
        const document = compiled[tier];
        if (document) await this.compiled.put(editionId, tier, document, edition.compileVersion ?? 0);
      }
      // Before markCompiled: a failed write is retried with the compile, not skipped with it.
      await fanOut.pages?.publish({ free: content.free, paid: content.paid, reports: content.reports });
      await this.editions.markCompiled(edition.id, now());
      // After a resume: the readers a pause deferred get the mail as it is compiled now.
      if ((edition.compileVersion ?? 0) > 0)
        await this.enqueue(editionId, await this.reopen(editionId, 'deferred'), fanOut);
    }

    while (!edition.plannedAll) {
      const page = await fanOut.recipients.activePage(PLAN_PAGE_SIZE, edition.planCursor);
      const messages = chunk(page.emails, RECIPIENTS_PER_MESSAGE).map((emails) => ({ editionId, emails }));
      await fanOut.mailQueue.sendAll(messages);
      const recorded = await this.editions.recordPlannedPage(
        editionId,
        edition.planPage,
        page.next,
        page.emails.length,
        now(),
      );
      const current = await this.editions.getEdition(editionId);
      if (!current || current.status !== 'planning') return current;
      // Not recorded: a concurrent planner (a redelivered plan message) got there first; carry on from its page.
      if (!recorded && current.planPage === edition.planPage) {
        throw new Error(`Edition ${editionId}: page ${edition.planPage} could not be recorded`);
      }
      edition = current;
    }

    const planned = await this.editions.finishPlanning(editionId, now());
    if (planned && isComplete(planned)) {
      const { status, reason } = finalStatus(planned);
      return (await this.editions.setStatus(editionId, ['sending'], status, now(), reason)) ?? planned;
    }
    return planned ?? (await this.editions.getEdition(editionId));
  }

  /**
   * An editor's choice after a crash: the readers whose outcome is unknown (their SES call may have run) are
   * sent the edition again. The edition is back to `sending` and its counters moved before any message is
   * queued, so no sender can find it finished or count a reader twice; each record is reopened conditionally,
   * so a reader is queued at most once per retry.
   */
  async retryUnknown(editionId: string, fanOut: FanOut, now: () => Date): Promise<EditionRecord | undefined> {
    const edition = await this.editions.getEdition(editionId);
    if (!edition || !['sending', 'sent-with-gaps'].includes(edition.status)) return edition;
    if ((await this.editions.deliveriesWithStatus(editionId, 'unknown')).length === 0) return edition;
    await this.editions.setStatus(editionId, ['sent-with-gaps', 'sending'], 'sending', now());
    const emails = await this.reopen(editionId, 'unknown');
    if (emails.length > 0) await this.editions.count(editionId, { unknown: -emails.length }, now());
    await this.enqueue(editionId, emails, fanOut);
    return this.editions.getEdition(editionId);
  }

  /** Reopens every delivery record with `status` so the reader can be claimed again; returns their addresses. */
  private async reopen(editionId: string, status: 'deferred' | 'unknown'): Promise<string[]> {
    const emails: string[] = [];
    for (const { key, record } of await this.editions.deliveriesWithStatus(editionId, status)) {
      if (record.email && (await this.editions.reopenDelivery(editionId, key, status))) emails.push(record.email);
    }
    return emails;
  }

  private async enqueue(editionId: string, emails: readonly string[], fanOut: FanOut): Promise<void> {
    const messages = chunk(emails, RECIPIENTS_PER_MESSAGE).map((batch) => ({ editionId, emails: batch }));
    await fanOut.mailQueue.sendAll(messages);
  }

  /** What the next edition would look like for one tier, with example links in place of a reader's own. */
  async preview(
    tier: ReaderTier,
    now: Date,
  ): Promise<({ subject: string; html: string; text: string; window: EditionWindow } & ShortenedReports) | undefined> {
    const window = await this.nextWindow(now);
    if (isEmptyWindow(window)) return undefined;
    const content = await this.contentFor(`preview-${now.getTime()}`, now, window);
    if (!content) return undefined;
    const compiled = await this.compileGuarded(content[tier], content.reports);
    if (!compiled) throw new EditionLeakError();
    if (compiled.tier !== tier) throw new Error(`Preview for ${tier} compiled a ${compiled.tier} edition`);
    const message = personalise(compiled, previewRecipientUrls(this.publication));
    const shortened = shortenedReportsOf(compiled, content[tier]);
    return { subject: message.subject, html: message.html, text: message.text, window, ...shortened };
  }

  private async contentFor(
    id: string,
    date: Date,
    window: EditionWindow,
  ): Promise<(Record<ReaderTier, EditionContent> & { reports: ReportRecord[] }) | undefined> {
    // A window holds at most the cap by construction (`nextEdition`); the margin lets a report written into it
    // late (its create racing the claim) come along rather than push out one the edition lists.
    const reports = await this.sources.inWindow(window, 2 * this.publication.digest.maxReports);
    if (reports.length === 0) return undefined;
    // A window that stops after a report ends at a key, not a date: the edition is dated by that report's go-live.
    const editionDate = Number.isNaN(date.getTime()) ? windowBoundInstant(window.end) : date;
    const paidParts = await loadPaidParts(reports, (ref) => this.sources.paidPart(ref));
    const build = (tier: ReaderTier): EditionContent =>
      buildEditionContent({
        id,
        date: editionDate,
        tier,
        views: editionViews(reports, paidParts, tier, this.publication),
      });
    return { free: build('free'), paid: build('paid'), reports };
  }

  /** One tier's edition through the leak guard (see {@link compileForTier}); undefined when it still leaks. */
  private async compileGuarded(
    content: EditionContent,
    reports: readonly ReportRecord[],
  ): Promise<CompiledEdition | undefined> {
    const guarded = await compileForTier(content, reports, this.compile, this.publication);
    if (!guarded.ok) {
      this.onLeak({ editionId: content.id, reportIds: guarded.sources, stubbed: [], action: 'paused' });
      return undefined;
    }
    if (guarded.hits > 0) {
      this.onLeak({ editionId: content.id, reportIds: guarded.sources, stubbed: guarded.stubbed, action: 'stubbed' });
    }
    return guarded.output;
  }
}
