import { ulid } from 'ulid';
import { ConflictError, InvalidInputError, NotFoundError, StaleRevisionError } from '../shared/errors';
import type { ReportsRepository, VaultStore } from './ports';
import { prepareReport, type CutSummary, type Identity, type PreparedReport } from './intake';
import { parseReport } from './report-draft';
import type { Publication } from '../shared/publication';
import {
  REVISION_CLAIM_STALE_MS,
  revisionEntry,
  shownHistory,
  type Author,
  type RevisionAction,
} from './report-history';
import { goLive, type PaidPart, type ReportInput, type ReportRecord } from './report';
import { slugCandidates, slugFromTitle } from './slug';
import { visibility } from '../paywall/tiers';
import { reportPageUrl } from '../shared/reader-urls';

export interface ReportSummary {
  id: string;
  slug: string;
  url: string;
  revision: number;
}

/** A create or update answer: the summary plus how the body was cut, so the editor sees what the public gets. */
export type WriteAnswer = ReportSummary & CutSummary;

/**
 * The editor's report workflows. Order of writes, without transactions: vault objects, then the slug claim and
 * tag entries, then the report item (conditional), then clean-up. A crash at any point leaves only unreferenced
 * objects or claims the same request converges on when retried; never half a report.
 */
export class ReportService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly vault: VaultStore,
    private readonly publication: Publication,
  ) {}

  async create(
    raw: Record<string, unknown>,
    now: Date,
    reservedId: string = ulid(now.getTime()),
    author?: Author,
  ): Promise<WriteAnswer> {
    const input = this.parse(raw);
    const slug = await this.claimSlug(input, reservedId);
    let prepared: PreparedReport;
    let created: boolean;
    try {
      prepared = prepareReport(
        input,
        { id: reservedId, slug, revision: 1, createdAt: now.toISOString() },
        this.publication,
        now,
      );
      await this.persist(prepared);
      const record = prepared.record;
      created = await this.withRevision(record.id, 1, 'created', author, now, () => this.reports.create(record, now));
    } catch (error) {
      // Give the slug back, or a retry under a new id would find it held by a report that never came to be.
      await this.reports.releaseSlug(slug, reservedId);
      throw error;
    }
    if (!created) {
      // Same id already stored: this is a retry of a request that got that far; answer as the first one did.
      const existing = await this.reports.get(reservedId);
      if (!existing) throw new ConflictError('report_exists', `Report ${reservedId} could not be created`);
      return { ...this.summary(existing), ...prepared.cut };
    }
    return { ...this.summary(prepared.record), ...prepared.cut };
  }

  async update(
    id: string,
    raw: Record<string, unknown>,
    ifMatch: number | undefined,
    now: Date,
    author?: Author,
  ): Promise<WriteAnswer> {
    const current = await this.require(id);
    if (ifMatch !== undefined && ifMatch !== current.revision) {
      throw new StaleRevisionError(`Report ${id} is at revision ${current.revision}, not ${ifMatch}`);
    }
    const input = this.parse(raw);
    if (input.slug !== undefined && input.slug !== current.slug) {
      throw new InvalidInputError([{ field: 'slug', message: `cannot change; this report's slug is ${current.slug}` }]);
    }
    const identity: Identity = {
      id,
      slug: current.slug,
      revision: current.revision + 1,
      createdAt: current.createdAt,
      previousPublishAt: current.publishAt,
      previousLiveAt: goLive(current),
      ...(current.dateline === undefined ? {} : { previousDateline: current.dateline }),
      ...(current.mail === false ? { previousMail: false as const } : {}),
    };
    const prepared = prepareReport(input, identity, this.publication, now);
    await this.persist(prepared);
    const replaced = await this.withRevision(id, prepared.record.revision, 'updated', author, now, () =>
      this.reports.replace(prepared.record, current.revision, now),
    );
    if (!replaced) {
      throw new StaleRevisionError(`Report ${id} changed while this update was being made; fetch it and retry`);
    }
    await this.reports.deleteStaleTagEntries(prepared.record);
    return { ...this.summary(prepared.record), ...prepared.cut };
  }

  /** Takes the report out of every public artifact; repeating it changes nothing. */
  async unpublish(id: string, now: Date, author?: Author): Promise<ReportSummary> {
    const current = await this.require(id);
    if (current.state === 'unpublished') return this.summary(current);
    const next: ReportRecord = {
      ...current,
      state: 'unpublished',
      revision: current.revision + 1,
      updatedAt: now.toISOString(),
    };
    const replaced = await this.withRevision(id, next.revision, 'unpublished', author, now, () =>
      this.reports.replace(next, current.revision, now),
    );
    if (!replaced) {
      throw new StaleRevisionError(`Report ${id} changed while it was being unpublished; retry`);
    }
    return this.summary(next);
  }

  async read(
    id: string,
    now: Date,
  ): Promise<{ record: ReportRecord; paid?: PaidPart; source: ReportInput; visibility: string }> {
    const record = await this.require(id);
    const [paid, source] = await Promise.all([
      record.paidRef ? this.vault.getJson<PaidPart>(record.paidRef) : Promise.resolve(undefined),
      this.vault.getJson<ReportInput>(record.sourceRef),
    ]);
    return { record, ...(paid ? { paid } : {}), source, visibility: visibility(record, now) };
  }

  /** Who changed the report and how, oldest first: entries for the revisions the report actually reached. */
  async history(id: string, currentRevision: number) {
    return shownHistory(await this.reports.revisions(id), currentRevision);
  }

  list(limit: number, cursor?: string) {
    return this.reports.list(limit, cursor);
  }

  /** The report that holds `slug`, unpublished ones included: a slug is never given to another report. */
  bySlug(slug: string): Promise<ReportRecord | undefined> {
    return this.reports.bySlug(slug);
  }

  private parse(raw: Record<string, unknown>): ReportInput {
    return parseReport(raw, this.publication);
  }

  private async claimSlug(input: ReportInput, id: string): Promise<string> {
    if (input.slug) {
      if (await this.reports.claimSlug(input.slug, id)) return input.slug;
      throw new ConflictError('slug_taken', `The slug ${input.slug} belongs to another report`, [
        { field: 'slug', message: 'is already used by another report' },
      ]);
    }
    for (const candidate of slugCandidates(slugFromTitle(input.title, id.slice(-8)), id.slice(-8))) {
      if (await this.reports.claimSlug(candidate, id)) return candidate;
    }
    throw new ConflictError('slug_taken', 'No free slug could be derived from the title; give one explicitly', [
      { field: 'slug', message: 'could not be derived; set one' },
    ]);
  }

  private async persist(prepared: PreparedReport): Promise<void> {
    // Both must land before the report item that depends on them; neither depends on the other.
    await Promise.all([
      ...prepared.vaultObjects.map((object) => this.vault.put(object.key, object.body, object.contentType)),
      this.reports.putTagEntries(prepared.record),
    ]);
  }

  /**
   * Runs a write that moves the report to `revision` under a claim on that revision's history entry: the entry is
   * written first (conditional, so two changes cannot both claim it) and released when the write does not happen,
   * so history never claims a change that was not made. The report write itself stays conditional on the
   * revision it read; the claim adds nothing it could get wrong. Without an author (internal callers) it is the
   * bare write.
   */
  private async withRevision(
    reportId: string,
    revision: number,
    action: RevisionAction,
    author: Author | undefined,
    now: Date,
    write: () => Promise<boolean>,
  ): Promise<boolean> {
    if (!author) return write();
    const writeId = ulid(now.getTime());
    const entry = revisionEntry(reportId, revision, action, author, now);
    const staleBefore = new Date(now.getTime() - REVISION_CLAIM_STALE_MS);
    if (!(await this.reports.claimRevision(entry, writeId, staleBefore))) {
      // Another change holds this revision: it landed (the caller's read is stale, or this is a retried create
      // whose first attempt got through) or it is landing right now.
      const latest = await this.reports.get(reportId);
      if (latest && latest.revision >= revision) return false;
      throw new ConflictError('change_in_progress', `Report ${reportId} is being changed by another request; retry`);
    }
    let written = false;
    try {
      written = await write();
      return written;
    } finally {
      if (!written) await this.releaseRevision(reportId, revision, writeId);
    }
  }

  /** Gives a claim back unless the report reached that revision after all (a write that timed out but landed). */
  private async releaseRevision(reportId: string, revision: number, writeId: string): Promise<void> {
    const latest = await this.reports.get(reportId);
    if (latest && latest.revision >= revision) return;
    await this.reports.releaseRevision(reportId, revision, writeId);
  }

  private async require(id: string): Promise<ReportRecord> {
    const record = await this.reports.get(id);
    if (!record) throw new NotFoundError(`No report has id ${id}`);
    return record;
  }

  private summary(record: ReportRecord): ReportSummary {
    return {
      id: record.id,
      slug: record.slug,
      url: reportPageUrl(this.publication, record.slug),
      revision: record.revision,
    };
  }
}
