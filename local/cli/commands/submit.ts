import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { reportInputSchema } from '../../../lambdas/core/report';
import type { CommandContext } from '../context';
import { CommandFailed } from '../errors';
import { splitFrontMatter, toSubmission, type Submission } from '../front-matter';
import { formatPairs } from '../output';
import { loadPublication } from '../publication-config';
import { readInputFile } from '../read-input';

export interface SubmitOptions {
  dryRun?: boolean;
  idempotencyKey?: string;
}

/**
 * Derived from the file's bytes, so running the same submit twice (a retry after a timeout, a shell history
 * re-run) creates one report; any edit makes a new key, because it is a new submission.
 */
export function idempotencyKeyFor(content: string): string {
  return `submit-${createHash('sha256').update(content).digest('hex').slice(0, 40)}`;
}

export async function submit(ctx: CommandContext, file: string, options: SubmitOptions): Promise<void> {
  const content = await readInputFile(ctx.cwd, file);
  const submission = toSubmission(prefixErrors(file, () => splitFrontMatter(content)));
  if (options.dryRun) {
    await dryRun(ctx, submission);
    return;
  }
  const key = options.idempotencyKey ?? idempotencyKeyFor(content);
  const client = ctx.client();
  const receipt =
    submission.id !== undefined && submission.revision !== undefined
      ? await client.updateReport(submission.id, submission.revision, submission.input, key)
      : await client.createReport(submission.input, key);
  ctx.io.stdout.write(
    formatPairs([
      ['id', receipt.id ?? submission.id],
      ['slug', receipt.slug],
      ['url', receipt.url],
      ['revision', receipt.revision],
    ]),
  );
}

function prefixErrors<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Error) error.message = `${file}: ${error.message}`;
    throw error;
  }
}

/** Shows what would be public and what would stay subscriber-only, and every field error, without a request. */
async function dryRun(ctx: CommandContext, submission: Submission): Promise<void> {
  const out = ctx.io.stdout;
  const publication = await loadPublication();
  const result = reportInputSchema(publication).safeParse(submission.input);
  const problems = result.success ? [] : result.error.issues.flatMap(describeIssue);

  out.write(`dry run: nothing sent to ${ctx.config.apiUrl}\n`);
  if (submission.id !== undefined)
    out.write(`would update report ${submission.id} (revision ${submission.revision})\n`);
  out.write(problems.length === 0 ? 'front matter: ok\n' : `front matter: ${problems.length} problem(s)\n`);
  for (const problem of problems) out.write(`  ${problem}\n`);

  const body = typeof submission.input.body === 'string' ? submission.input.body : '';
  if (submission.input.tier === 'complimentary') {
    out.write(`\ntier complimentary: the whole body is public (${words(body)} words)\n`);
  } else {
    // Loaded on demand: only the dry run needs the Markdown pipeline, and the rest of the CLI stays fast to start.
    const { cutPreview } = await import('../../../lambdas/core/preview-cut');
    const cut = cutPreview(body);
    const nothingPaid = cut.subscriberMarkdown.trim() === '';
    const where = cut.usedMarker
      ? 'at the <!-- paywall --> marker'
      : nothingPaid
        ? 'none: no <!-- paywall --> marker and at most two paragraphs, so the whole body is public'
        : 'after the first two paragraphs (no <!-- paywall --> marker)';
    out.write(`\ncut: ${where}\n`);
    out.write(`\n--- public: the summary, then ${words(cut.publicMarkdown)} words of body ---\n`);
    if (typeof submission.input.summary === 'string') out.write(`${submission.input.summary.trim()}\n\n`);
    out.write(`${cut.publicMarkdown.trim()}\n`);
    out.write(`\n--- subscriber-only: ${words(cut.subscriberMarkdown)} words ---\n`);
    out.write(`${cut.subscriberMarkdown.trim()}\n`);
  }
  if (problems.length > 0) throw new CommandFailed();
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const field = issue.path.map(String).join('.');
  const prefix = field ? `${field}.` : '';
  // The schema is strict; name the stray keys so a typo such as `tittle` is obvious.
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${prefix}${key}: not a report field`);
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  const message = missing ? 'is required' : issue.message;
  return [field ? `${field}: ${message}` : message];
}

function words(markdown: string): number {
  return markdown.split(/\s+/).filter(Boolean).length;
}
