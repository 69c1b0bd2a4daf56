import { ulid } from 'ulid';
import { buildEditionContent, editionViews, type EditionContent } from './edition-content';
import { READER_TIERS, type ReaderTier } from '../shared/reader-tier';
import { personalise } from './personalise';
import type { CompiledEdition, CompiledEditionRef } from './compiled-edition';
import { chunk, PLAN_PAGE_SIZE, RECIPIENTS_PER_MESSAGE, type MailMessage } from './queue-messages';
import {
  ACTIVE_EDITION_STATUSES,
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
import {
  combinationSeries,
  editionSeries,
  emptyGroups,
  groupByCombination,
  type CombinationGroups,
  type ReaderOfEdition,
} from './series-combination';
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
  /** Notes a combination as compiled and stored (an entry of `compiledSeries`, see {@link compiledSeriesEntry}). */
  markSeriesCompiled(id: string, entry: string): Promise<void>;
  recordPlannedPage(
    id: string,
    page: number,
    nextCursor: string | undefined,
    count: number,
    at: Date,
    noSeries?: number,
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
  /** These reports as they are now (read strongly: a correction just written must be seen), missing ones left out. */
  reportsByIds(ids: readonly string[]): Promise<ReportRecord[]>;
}

export interface CompiledEditionsStore {
  put(ref: CompiledEditionRef, compiled: CompiledEdition): Promise<void>;
}

/**
 * Readers as the planner needs them: the address and the stored series choice. The page carries the choice
 * (the subscriber item holds it anyway) so grouping readers by combination costs no second read.
 */
export interface RecipientPages {
  /** Active subscribers, one page at a time; `cursor` is opaque. */
  activePage(limit: number, cursor?: string): Promise<{ readers: ReaderOfEdition[]; next?: string }>;
  /** The current choice of readers mailed again (resume, retry-unknown); unknown addresses are left out. */
  readers(emails: readonly string[]): Promise<ReaderOfEdition[]>;
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

/** The edition's reports as read for one planning run, with what compiling any combination of them needs. */
interface EditionSource {
  id: string;
  date: Date;
  reports: ReportRecord[];
  paidParts: ReadonlyMap<string, PaidPart>;
  series: Set<string>;
}

/** One planning run of an edition: its reports, read once and only if needed, and the combinations stored. */
class PlanRun {
  private loaded?: Promise<EditionSource | undefined>;
  readonly version: number;
  /** Combinations stored for this compile version. */
  readonly compiled: Set<string>;
  /** Combinations stored for earlier versions: a resume compiles them again (see `plan`). */
  readonly earlier: Set<string>;
  /**
   * Pages were queued but no combination was ever noted: the edition was planned before readers chose series,
   * so queued messages carry no combination and mean the whole edition (queue-messages.ts).
   */
  readonly legacy: boolean;

  constructor(
    readonly edition: EditionRecord,
    private readonly load: () => Promise<EditionSource | undefined>,
  ) {
    this.version = edition.compileVersion ?? 0;
    const entries = (edition.compiledSeries ?? []).map(parseCompiledSeries);
    this.compiled = new Set(entries.filter((entry) => entry.version === this.version).map((entry) => entry.series));
    this.earlier = new Set(entries.filter((entry) => entry.version < this.version).map((entry) => entry.series));
    this.legacy = edition.compiledSeries === undefined && edition.planPage > 0;
  }

  source(): Promise<EditionSource | undefined> {
    this.loaded ??= this.load();
    return this.loaded;
  }
}

/** `compiledSeries` entries are `{version}/{combination}`: a stale planner's note can never pass for a newer one. */
export function compiledSeriesEntry(version: number, series: string): string {
  return `${version}/${series}`;
}

function parseCompiledSeries(entry: string): { version: number; series: string } {
  const slash = entry.indexOf('/');
  return { version: Number(entry.slice(0, slash)), series: entry.slice(slash + 1) };
}

function mailMessages(editionId: string, byCombination: ReadonlyMap<string, readonly string[]>): MailMessage[] {
  return [...byCombination].flatMap(([series, emails]) =>
    chunk(emails, RECIPIENTS_PER_MESSAGE).map((batch) => ({ editionId, emails: batch, series })),
  );
}

const LEAK_REASON =
  'the leak scan found subscriber-only text in the free edition that no stub could remove; nothing was sent';

/**
 * Creates editions (one per window, however many triggers fire) and plans them: every active subscriber fanned
 * out to the mail queue in small batches, each batch naming the reader's combination of series.
 *
 * Why compile during fan-out, per page: a reader gets only the edition's reports of the series they receive, and
 * the combinations in use are only known from the readers. Each combination is compiled (both tiers, through the
 * leak guard) and stored the first time a page holds a reader with it, before any message naming it is queued,
 * and noted on the edition, so MJML runs once per tier and combination in use, never per reader, and a repeated
 * run compiles nothing twice. Both tiers are stored because the sender picks the tier at send time. Readers with
 * no series of the edition are counted (`noSeries`), not queued.
 *
 * Planning can be repeated safely: progress is recorded per page with conditional writes, and a page enqueued
 * twice (crash between send and record) is harmless because the sender keeps one delivery record per recipient.
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

  /** Fans out the remaining pages, compiling each combination they need once; returns the edition as planning left it. */
  async plan(editionId: string, fanOut: FanOut, now: () => Date): Promise<EditionRecord | undefined> {
    let edition = await this.editions.getEdition(editionId);
    if (!edition || edition.status !== 'planning') return edition;
    const run = this.run(edition);

    if (!edition.compiledAt) {
      const source = await run.source();
      // A report the window brings in that the claim did not list (written late, or republished into the window
      // while the edition was paused) is registered first, so unpublishing or correcting it pauses this edition.
      const added = source?.reports.map((report) => report.id).filter((id) => !edition?.reportIds.includes(id)) ?? [];
      if (added.length > 0) await this.editions.addReports(edition.id, added);
      if (!source) return this.cancelEmpty(edition.id, now);
      if (run.version > 0) {
        // After a resume: messages queued before the pause still name the combinations compiled then, and the
        // sender loads the current version, so each is compiled again first; then the readers the pause
        // deferred get the mail as it is compiled now.
        const earlier: CombinationGroups = {
          byCombination: new Map(
            [...run.earlier].filter((key) => this.hasReports(source, key)).map((key) => [key, []]),
          ),
          noSeries: [],
        };
        if (!(await this.compileAll(run, earlier))) return this.pauseForLeak(edition.id, now);
        if (run.legacy && !(await this.compileWhole(run))) return this.pauseForLeak(edition.id, now);
      }
      // Before markCompiled: a failed write is retried with the compile, not skipped with it.
      await fanOut.pages?.publish(this.pagesOf(source));
      await this.editions.markCompiled(edition.id, now());
      if (run.version > 0) {
        const requeued = await this.requeue(run, 'deferred', fanOut, async (_reopened, noSeries) => {
          if (noSeries > 0) await this.editions.count(editionId, { noSeries }, now());
        });
        if (!requeued) return this.pauseForLeak(edition.id, now);
      }
    }

    while (!edition.plannedAll) {
      const page = await fanOut.recipients.activePage(PLAN_PAGE_SIZE, edition.planCursor);
      const groups = page.readers.length === 0 ? emptyGroups() : await this.group(run, page.readers);
      if (!groups) return this.cancelEmpty(editionId, now);
      if (!(await this.compileAll(run, groups))) return this.pauseForLeak(editionId, now);
      await fanOut.mailQueue.sendAll(mailMessages(editionId, groups.byCombination));
      const recorded = await this.editions.recordPlannedPage(
        editionId,
        edition.planPage,
        page.next,
        page.readers.length,
        now(),
        groups.noSeries.length,
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
   * sent the edition again, with the combination their series give now. The edition is back to `sending` and
   * its counters moved before any message is queued, so no sender can find it finished or count a reader twice;
   * each record is reopened conditionally, so a reader is queued at most once per retry. A reader who receives
   * none of the edition's series any more is not sent it again and stays unknown (the first mail may have gone).
   */
  async retryUnknown(editionId: string, fanOut: FanOut, now: () => Date): Promise<EditionRecord | undefined> {
    const edition = await this.editions.getEdition(editionId);
    if (!edition || !['sending', 'sent-with-gaps'].includes(edition.status)) return edition;
    if ((await this.editions.deliveriesWithStatus(editionId, 'unknown')).length === 0) return edition;
    await this.editions.setStatus(editionId, ['sent-with-gaps', 'sending'], 'sending', now());
    const requeued = await this.requeue(this.run(edition), 'unknown', fanOut, async (reopened) => {
      if (reopened > 0) await this.editions.count(editionId, { unknown: -reopened }, now());
    });
    if (!requeued) return this.pauseForLeak(editionId, now);
    // Nothing reopened (every such reader left the edition's series): the edition ends again as it was.
    const current = await this.editions.getEdition(editionId);
    if (current && isComplete(current)) {
      const { status, reason } = finalStatus(current);
      return (await this.editions.setStatus(editionId, ['sending'], status, now(), reason)) ?? current;
    }
    return current;
  }

  /**
   * Reopens every delivery record with `status` whose reader can be claimed again and queues them with their
   * current combination, compiled first. `settle` runs after the reopening and before any message is queued,
   * with how many were reopened to be mailed and how many deferred readers have no series of the edition left
   * (those are reopened too, to be counted `noSeries`). False when a compile leaks.
   */
  private async requeue(
    run: PlanRun,
    status: 'deferred' | 'unknown',
    fanOut: FanOut,
    settle: (reopened: number, noSeries: number) => Promise<void>,
  ): Promise<boolean> {
    const editionId = run.edition.id;
    const records = (await this.editions.deliveriesWithStatus(editionId, status)).flatMap(({ key, record }) =>
      record.email ? [{ key, email: record.email }] : [],
    );
    if (records.length === 0) return true;
    const emails = records.map((record) => record.email);
    const current = new Map((await fanOut.recipients.readers(emails)).map((reader) => [reader.email, reader]));
    // A reader no longer stored gets the whole edition's combination; the sender then records them suppressed.
    const groups = await this.group(
      run,
      emails.map((email) => current.get(email) ?? { email }),
    );
    if (!groups) return true;
    if (!(await this.compileAll(run, groups))) return false;

    const combinationOf = new Map<string, string>();
    for (const [series, members] of groups.byCombination) for (const email of members) combinationOf.set(email, series);
    const reopened = new Map<string, string[]>();
    let noSeries = 0;
    for (const { key, email } of records) {
      const series = combinationOf.get(email);
      if (series === undefined && status === 'unknown') continue;
      if (!(await this.editions.reopenDelivery(editionId, key, status))) continue;
      if (series === undefined) noSeries += 1;
      else reopened.set(series, [...(reopened.get(series) ?? []), email]);
    }
    await settle(
      [...reopened.values()].reduce((sum, members) => sum + members.length, 0),
      noSeries,
    );
    await fanOut.mailQueue.sendAll(mailMessages(editionId, reopened));
    return true;
  }

  /**
   * Writes the web pages of an edition already compiled again, from its reports as they are now: a report of it
   * was corrected (perhaps to subscriber-only) or unpublished, and public pages must follow, as report pages and
   * feeds do, whatever the edition's status (a sent edition's page stays online). Unpublished reports drop out.
   * False when there is nothing to write (not compiled yet: planning writes them; or no page port).
   */
  async refreshPages(editionId: string, fanOut: Pick<FanOut, 'pages'>): Promise<boolean> {
    const edition = await this.editions.getEdition(editionId);
    if (!edition?.compiledAt || !fanOut.pages) return false;
    const current = await this.sources.reportsByIds(edition.reportIds);
    const reports = current.filter((report) => report.state === 'live');
    const window = { start: edition.windowStart, end: edition.windowEnd };
    const source = await this.sourceOf(edition.id, new Date(edition.windowEnd), window, reports);
    await fanOut.pages.publish(this.pagesOf(source));
    return true;
  }

  /** The whole edition, every series: the web edition is the publication's, not a reader's combination. */
  private pagesOf(source: EditionSource): EditionToPublish {
    return {
      free: this.contentOf(source, 'free', source.reports),
      paid: this.contentOf(source, 'paid', source.reports),
      reports: source.reports,
    };
  }

  private run(edition: EditionRecord): PlanRun {
    return new PlanRun(edition, () =>
      this.loadSource(edition.id, new Date(edition.windowEnd), { start: edition.windowStart, end: edition.windowEnd }),
    );
  }

  /** Readers grouped by combination against the edition's series; undefined when the edition has no reports. */
  private async group(run: PlanRun, readers: readonly ReaderOfEdition[]): Promise<CombinationGroups | undefined> {
    const source = await run.source();
    return source && groupByCombination(readers, source.series, this.publication);
  }

  private hasReports(source: EditionSource, combination: string): boolean {
    return combinationSeries(combination).some((series) => source.series.has(series));
  }

  /** Every combination of `groups` compiled and stored for the run's version; false when one leaks. */
  private async compileAll(run: PlanRun, groups: CombinationGroups): Promise<boolean> {
    for (const series of groups.byCombination.keys()) {
      if (run.compiled.has(series)) continue;
      const source = await run.source();
      if (!source) throw new Error(`Edition ${run.edition.id} has no reports to compile`);
      const wanted = new Set(combinationSeries(series));
      const reports = source.reports.filter((report) => wanted.has(report.series));
      if (!(await this.compileTiers(run, source, reports, series))) return false;
      await this.editions.markSeriesCompiled(run.edition.id, compiledSeriesEntry(run.version, series));
      run.compiled.add(series);
    }
    return true;
  }

  /**
   * The whole edition stored without a combination for the run's version, for messages queued before readers
   * chose series: the sender loads the current version, so after a resume they need it compiled again.
   */
  private async compileWhole(run: PlanRun): Promise<boolean> {
    const source = await run.source();
    if (!source) throw new Error(`Edition ${run.edition.id} has no reports to compile`);
    return this.compileTiers(run, source, source.reports);
  }

  /**
   * Both tiers of `reports` through the leak guard, stored only once neither leaks (nothing of a combination is
   * stored when its free compile pauses the edition); `series` undefined stores the whole edition's key.
   */
  private async compileTiers(
    run: PlanRun,
    source: EditionSource,
    reports: readonly ReportRecord[],
    series?: string,
  ): Promise<boolean> {
    const documents: CompiledEdition[] = [];
    for (const tier of READER_TIERS) {
      const guarded = await this.compileGuarded(this.contentOf(source, tier, reports), reports);
      if (!guarded) return false;
      documents.push(guarded);
    }
    for (const document of documents) {
      const ref = { editionId: run.edition.id, version: run.version, tier: document.tier };
      await this.compiled.put(series === undefined ? ref : { ...ref, series }, document);
    }
    return true;
  }

  private cancelEmpty(editionId: string, now: () => Date): Promise<EditionRecord | undefined> {
    return this.editions.setStatus(
      editionId,
      ['planning'],
      'cancelled',
      now(),
      'every report of the edition was unpublished before its mail was compiled; no further mail is sent',
    );
  }

  /** A leak in any combination's free compile stops the edition before any message names that combination. */
  private pauseForLeak(editionId: string, now: () => Date): Promise<EditionRecord | undefined> {
    return this.editions.setStatus(editionId, ACTIVE_EDITION_STATUSES, 'paused', now(), LEAK_REASON);
  }

  /**
   * What the next edition would look like for one tier, with example links in place of a reader's own. It shows
   * the whole edition (every series), as do test sends and the report preview.
   */
  async preview(
    tier: ReaderTier,
    now: Date,
  ): Promise<({ subject: string; html: string; text: string; window: EditionWindow } & ShortenedReports) | undefined> {
    const window = await this.nextWindow(now);
    if (isEmptyWindow(window)) return undefined;
    const source = await this.loadSource(`preview-${now.getTime()}`, now, window);
    if (!source) return undefined;
    const content = this.contentOf(source, tier, source.reports);
    const compiled = await this.compileGuarded(content, source.reports);
    if (!compiled) throw new EditionLeakError();
    if (compiled.tier !== tier) throw new Error(`Preview for ${tier} compiled a ${compiled.tier} edition`);
    const message = personalise(compiled, previewRecipientUrls(this.publication));
    const shortened = shortenedReportsOf(compiled, content);
    return { subject: message.subject, html: message.html, text: message.text, window, ...shortened };
  }

  private async loadSource(id: string, date: Date, window: EditionWindow): Promise<EditionSource | undefined> {
    // A window holds at most the cap by construction (`nextEdition`); the margin lets a report written into it
    // late (its create racing the claim) come along rather than push out one the edition lists.
    const reports = await this.sources.inWindow(window, 2 * this.publication.digest.maxReports);
    if (reports.length === 0) return undefined;
    return this.sourceOf(id, date, window, reports);
  }

  private async sourceOf(
    id: string,
    date: Date,
    window: EditionWindow,
    reports: ReportRecord[],
  ): Promise<EditionSource> {
    // A window that stops after a report ends at a key, not a date: the edition is dated by that report's go-live.
    const editionDate = Number.isNaN(date.getTime()) ? windowBoundInstant(window.end) : date;
    const paidParts = await loadPaidParts(reports, (ref) => this.sources.paidPart(ref));
    return { id, date: editionDate, reports, paidParts, series: editionSeries(reports) };
  }

  /** One tier's content of some of the edition's reports (a combination's, or all of them). */
  private contentOf(source: EditionSource, tier: ReaderTier, reports: readonly ReportRecord[]): EditionContent {
    return buildEditionContent({
      id: source.id,
      date: source.date,
      tier,
      views: editionViews(reports, source.paidParts, tier, this.publication),
    });
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
