import { titleSlug } from '../../lambdas/core/reports/slug';
import type { ApiClient } from './api-client';
import { ApiError, UsageError, describeError } from './errors';
import type { Submission } from './front-matter';

/**
 * Which stored report a report file corrects (issue 14): the one its front matter names by `id`, else the one
 * holding its `slug`, else the one holding the slug its title gives. The title's slug comes from the function
 * create uses ({@link titleSlug}), so a file submitted without a slug finds the report it created. A report that
 * was unpublished is still the file's report: correcting it republishes it, as any `PUT` does.
 */
export interface ReportTarget {
  id: string;
  slug: string;
  state: string;
  /** The report's revision when the CLI read it. */
  currentRevision: number;
  /** What the correction is based on, sent as If-Match: the front matter's `revision`, else the current one. */
  baseRevision: number;
  /** The front matter fixed `baseRevision`. */
  pinned: boolean;
}

/** The slug a submission names or its title gives; undefined when neither can name one. */
export function slugNamed(input: Record<string, unknown>): string | undefined {
  // A slug of the wrong type is the server's to refuse (422 naming `slug`), not a reason to look up another.
  if (input.slug !== undefined) return typeof input.slug === 'string' ? input.slug : undefined;
  return typeof input.title === 'string' ? titleSlug(input.title) : undefined;
}

/** The report the submission corrects, or undefined when it is a new report. */
export async function findTarget(client: ApiClient, submission: Submission): Promise<ReportTarget | undefined> {
  const slug = slugNamed(submission.input);
  const found =
    submission.id !== undefined
      ? await client.getReport(submission.id)
      : slug === undefined
        ? undefined
        : await client.findReportBySlug(slug);
  if (!found) {
    if (submission.revision !== undefined) {
      throw new UsageError(
        `front matter sets \`revision: ${submission.revision}\`, but no report has the slug ${slug ?? '(none)'}: remove \`revision\` to create the report`,
      );
    }
    return undefined;
  }
  return {
    id: found.id,
    slug: found.slug,
    state: found.state,
    currentRevision: found.revision,
    baseRevision: submission.revision ?? found.revision,
    pinned: submission.revision !== undefined,
  };
}

/** The API refused the correction because another change got there first (412) or is being saved (409). */
export function isLostRace(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    ((error.status === 412 && error.code === 'precondition_failed') ||
      (error.status === 409 && error.code === 'change_in_progress'))
  );
}

/**
 * The one line for a correction that lost to someone else's: the report, the revision the file was based on,
 * and the revision (with who saved it) that is there now, read back from the API.
 */
export async function lostRaceLine(client: ApiClient, target: ReportTarget): Promise<string> {
  const name = `${target.slug} (${target.id})`;
  const based = `r${target.baseRevision}`;
  let current;
  try {
    current = await client.getReport(target.id);
  } catch (error) {
    const reason = describeError(error).line ?? 'no answer';
    return `not saved: ${name} has a revision newer than ${based}, the one this file is based on (reading it back failed: ${reason})`;
  }
  if (current.revision <= target.baseRevision) {
    return `not saved: another change to ${name} ${based} is being saved right now; submit again in a moment`;
  }
  const saved = current.history.find((entry) => entry.revision === current.revision);
  const by = saved ? ` by ${saved.editorName ?? `editor ${saved.editorId}`} at ${saved.at}` : '';
  const merge = target.pinned ? `, set \`revision: ${current.revision}\`` : '';
  return `not saved: ${name} changed after ${based}, the revision this file is based on: r${current.revision} was saved${by}. Merge that change into the file${merge} and submit again`;
}
