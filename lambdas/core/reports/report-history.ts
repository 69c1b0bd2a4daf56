/**
 * Who changed a report, and how: one revision entry per change that bumped the report's revision. Editors may act
 * on every report (a newsroom corrects each other's work), so accountability comes from the record, not from a
 * lock on ownership. Entries hold ids, names, the action and the time; never report text.
 */
export const REVISION_ACTIONS = ['created', 'updated', 'unpublished'] as const;
export type RevisionAction = (typeof REVISION_ACTIONS)[number];

/** The caller as the authorizer identified them. */
export interface Author {
  editorId: string;
  /** Absent when the authorizer did not know it (tokens issued before names were passed on). */
  editorName?: string;
}

export interface RevisionEntry extends Author {
  reportId: string;
  revision: number;
  action: RevisionAction;
  at: string;
}

/**
 * A revision entry is written before the report item, as a claim on that revision number: a conditional write, so
 * two changes cannot both claim revision N, and released again when the report write does not happen. An entry
 * whose writer died between the two writes is left behind with a revision the report never reached; it is never
 * shown ({@link shownHistory}) and is taken over once older than this, far longer than reports-api may run.
 */
export const REVISION_CLAIM_STALE_MS = 60_000;

export function revisionEntry(
  reportId: string,
  revision: number,
  action: RevisionAction,
  author: Author,
  now: Date,
): RevisionEntry {
  return {
    reportId,
    revision,
    action,
    editorId: author.editorId,
    ...(author.editorName ? { editorName: author.editorName } : {}),
    at: now.toISOString(),
  };
}

/** What the API shows: entries for revisions the report reached, oldest first, without the report id. */
export function shownHistory(entries: readonly RevisionEntry[], currentRevision: number) {
  return entries
    .filter((entry) => entry.revision <= currentRevision)
    .sort((a, b) => a.revision - b.revision)
    .map(({ reportId: _reportId, ...shown }) => shown);
}
