import type { Page } from '../shared/page';
import type { PaidPart, ReportRecord } from './report';
import type { RevisionEntry } from './report-history';

/** What the report workflows need from storage; the DynamoDB and S3 adapters implement these. */
export interface ReportsRepository {
  get(id: string): Promise<ReportRecord | undefined>;
  /** The report that holds the slug, whatever its state; undefined when no report does (yet). */
  bySlug(slug: string): Promise<ReportRecord | undefined>;
  claimSlug(slug: string, reportId: string): Promise<boolean>;
  /** Deletes the claim if this report still holds it and has no item yet. */
  releaseSlug(slug: string, reportId: string): Promise<void>;
  create(record: ReportRecord, now: Date): Promise<boolean>;
  replace(record: ReportRecord, expectedRevision: number, now: Date): Promise<boolean>;
  putTagEntries(record: ReportRecord): Promise<void>;
  deleteStaleTagEntries(record: ReportRecord): Promise<void>;
  list(limit: number, cursor?: string): Promise<Page<ReportRecord>>;
  due(now: Date, limit?: number): Promise<ReportRecord[]>;
  /**
   * Writes the entry as a claim on its revision unless a claim for that revision exists that is newer than
   * `staleBefore` (or is this writer's); false when another writer holds it.
   */
  claimRevision(entry: RevisionEntry, writeId: string, staleBefore: Date): Promise<boolean>;
  /** Deletes this writer's claim, if it still is this writer's. */
  releaseRevision(reportId: string, revision: number, writeId: string): Promise<void>;
  revisions(reportId: string): Promise<RevisionEntry[]>;
}

export interface VaultStore {
  put(key: string, body: string, contentType: string): Promise<void>;
  getJson<T>(key: string): Promise<T>;
}

export type { PaidPart, ReportRecord };
