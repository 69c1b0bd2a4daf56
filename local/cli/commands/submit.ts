import { createHash } from 'node:crypto';
import type { ReportPreview, ReportReceipt } from '../api-client';
import { BodyLines } from '../body-lines';
import type { CommandContext } from '../context';
import { CommandFailed, UsageError } from '../errors';
import { splitFrontMatter, toSubmission, type Submission } from '../front-matter';
import { uploadLocalImages } from '../media-upload';
import { readInputFile } from '../read-input';
import { findTarget, isLostRace, lostRaceLine, slugNamed, type ReportTarget } from '../report-target';

export interface SubmitOptions {
  dryRun?: boolean;
  /** Create a new report even when one holds the file's slug (the server may then suffix it: `-2`). */
  new?: boolean;
  idempotencyKey?: string;
}

/**
 * Derived from what is asked, so a retry of the same request (after a timeout) is answered as the first was: a
 * create from the file's bytes (a `--new` create apart from a plain one); a correction from the bytes plus the
 * report and the revision it is based on, so the next correction of the same file is a new request.
 */
export function idempotencyKeyFor(content: string, basis = ''): string {
  return `submit-${createHash('sha256').update(basis).update('\0').update(content).digest('hex').slice(0, 40)}`;
}

/**
 * `dispatch submit FILE.md`: corrects the report the file names (see `findTarget`) with If-Match of the revision
 * it read, or creates the report when none has its slug; `--new` always creates. Prints `created <slug> r1 (<id>)`
 * or `updated <slug> rN (<id>)` and the URL on stdout, the API's warnings on stderr.
 */
export async function submit(ctx: CommandContext, file: string, options: SubmitOptions): Promise<void> {
  const content = await readInputFile(ctx.cwd, file);
  const document = prefixErrors(file, () => splitFrontMatter(content));
  const submission = prefixErrors(file, () => toSubmission(document));
  if (options.new && (submission.id !== undefined || submission.revision !== undefined)) {
    throw new UsageError(`${file}: --new creates a report, but the front matter names one to correct (id, revision)`);
  }
  const lines = new BodyLines(file, document.bodyLine);
  try {
    if (options.dryRun) await dryRun(ctx, submission, options, lines);
    else await send(ctx, file, submission, options, lines);
  } catch (error) {
    throw lines.locateError(error);
  }
}

async function send(
  ctx: CommandContext,
  file: string,
  submission: Submission,
  options: SubmitOptions,
  lines: BodyLines,
): Promise<void> {
  // Local images go up first and their links are rewritten; a dry run uploads nothing.
  await uploadLocalImages(ctx, file, submission.input);
  // Keyed by what is sent, not the file's bytes: a changed image behind an unchanged link is another request.
  const content = JSON.stringify(submission.input);
  const client = ctx.client();
  const target = options.new ? undefined : await findTarget(client, submission);
  if (!target) {
    const key = options.idempotencyKey ?? idempotencyKeyFor(content, options.new ? 'new' : '');
    const receipt = await client.createReport(submission.input, key);
    printReceipt(ctx, 'created', receipt, lines);
    if (submission.input.slug === undefined) printSlugHint(ctx, receipt.slug, slugNamed(submission.input));
    return;
  }
  const key = options.idempotencyKey ?? idempotencyKeyFor(content, `${target.id}@${target.baseRevision}`);
  let receipt: ReportReceipt;
  try {
    receipt = await client.updateReport(target.id, target.baseRevision, submission.input, key);
  } catch (error) {
    if (isLostRace(error)) throw new CommandFailed(await lostRaceLine(client, target));
    throw error;
  }
  printReceipt(ctx, 'updated', receipt, lines, target.state === 'unpublished' ? ', republished' : '');
}

function printReceipt(
  ctx: CommandContext,
  verb: 'created' | 'updated',
  receipt: ReportReceipt,
  lines: BodyLines,
  aside = '',
): void {
  ctx.io.stdout.write(`${verb} ${receipt.slug} r${receipt.revision} (${receipt.id})${aside}\nurl ${receipt.url}\n`);
  for (const warning of receipt.warnings) ctx.io.stderr.write(`warning: ${lines.locate(warning)}\n`);
  if (receipt.pausedEditions.length > 0) {
    ctx.io.stderr.write(
      `note: paused digest edition(s) ${receipt.pausedEditions.join(', ')} that were sending this report: \`dispatch digest resume ID\` sends the correction\n`,
    );
  }
}

/** Without a `slug`, the next submit looks for the slug the title gives, which may not be this report's. */
function printSlugHint(ctx: CommandContext, slug: string, titleSlug: string | undefined): void {
  const why =
    titleSlug === slug
      ? 'so that the next submit still finds this report if the title changes'
      : titleSlug === undefined
        ? 'or the next submit creates another report: the title gives no slug of its own'
        : `or the next submit updates ${titleSlug} instead`;
  ctx.io.stderr.write(`note: add \`slug: ${slug}\` to the front matter, ${why}\n`);
}

function prefixErrors<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Error) error.message = `${file}: ${error.message}`;
    throw error;
  }
}

/**
 * Shows what would be public and what would stay subscriber-only, with every warning, by asking the server's
 * preview route: it runs create's own validation and cut and stores nothing, so the CLI keeps no cut of its own
 * that could disagree with what readers will get. Field errors come back as the same 4xx create would give.
 * It also says which report a submit would correct, if any.
 */
async function dryRun(
  ctx: CommandContext,
  submission: Submission,
  options: SubmitOptions,
  lines: BodyLines,
): Promise<void> {
  const out = ctx.io.stdout;
  const client = ctx.client();
  const preview = await client.previewReport(submission.input);
  const target = options.new ? undefined : await findTarget(client, submission);
  out.write(`dry run: nothing stored at ${ctx.config.apiUrl}\n`);
  out.write(target ? `would update ${describeTarget(target)}\n` : 'would create a new report\n');
  out.write(`cut: ${CUT_DESCRIPTIONS[preview.cut]}\n`);
  out.write(
    `public: ${preview.parts.public.words} words of body; subscriber-only: ${preview.parts.subscriber.words} words\n`,
  );
  for (const warning of preview.warnings) out.write(`warning: ${lines.locate(warning)}\n`);
  const { convert } = await import('html-to-text');
  const asText = (html: string) => convert(html, { wordwrap: 100 }).trim();
  out.write(`\n--- public: the summary, then this ---\n`);
  if (typeof submission.input.summary === 'string') out.write(`${submission.input.summary.trim()}\n\n`);
  out.write(`${asText(preview.publicHtml)}\n`);
  if (preview.subscriberHtml !== '') {
    out.write(`\n--- subscriber-only ---\n${asText(preview.subscriberHtml)}\n`);
  }
}

function describeTarget(target: ReportTarget): string {
  const based = target.pinned ? `, based on r${target.baseRevision}` : '';
  const state = target.state === 'unpublished' ? ', unpublished: the update republishes it' : '';
  return `${target.slug} (${target.id}), now at r${target.currentRevision}${based}${state}`;
}

const CUT_DESCRIPTIONS: Record<ReportPreview['cut'], string> = {
  marker: 'at the <!-- paywall --> marker',
  'first-two-paragraphs': 'after the first two paragraphs (no <!-- paywall --> marker)',
  none: 'none: the whole body is public',
};
