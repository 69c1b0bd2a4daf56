import { createHash } from 'node:crypto';
import type { ReportPreview } from '../api-client';
import type { CommandContext } from '../context';
import { splitFrontMatter, toSubmission, type Submission } from '../front-matter';
import { uploadLocalImages } from '../media-upload';
import { formatPairs } from '../output';
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
  await uploadLocalImages(ctx, file, submission.input);
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

/**
 * Shows what would be public and what would stay subscriber-only, with every warning, by asking the server's
 * preview route: it runs create's own validation and cut and stores nothing, so the CLI keeps no cut of its own
 * that could disagree with what readers will get. Field errors come back as the same 4xx create would give.
 */
async function dryRun(ctx: CommandContext, submission: Submission): Promise<void> {
  const out = ctx.io.stdout;
  const preview = await ctx.client().previewReport(submission.input);
  out.write(`dry run: nothing stored at ${ctx.config.apiUrl}\n`);
  if (submission.id !== undefined)
    out.write(`would update report ${submission.id} (revision ${submission.revision})\n`);
  out.write(`cut: ${CUT_DESCRIPTIONS[preview.cut]}\n`);
  out.write(
    `public: ${preview.parts.public.words} words of body; subscriber-only: ${preview.parts.subscriber.words} words\n`,
  );
  for (const warning of preview.warnings) out.write(`warning: ${warning}\n`);
  const { convert } = await import('html-to-text');
  const asText = (html: string) => convert(html, { wordwrap: 100 }).trim();
  out.write(`\n--- public: the summary, then this ---\n`);
  if (typeof submission.input.summary === 'string') out.write(`${submission.input.summary.trim()}\n\n`);
  out.write(`${asText(preview.publicHtml)}\n`);
  if (preview.subscriberHtml !== '') {
    out.write(`\n--- subscriber-only ---\n${asText(preview.subscriberHtml)}\n`);
  }
}

const CUT_DESCRIPTIONS: Record<ReportPreview['cut'], string> = {
  marker: 'at the <!-- paywall --> marker',
  'first-two-paragraphs': 'after the first two paragraphs (no <!-- paywall --> marker)',
  none: 'none: the whole body is public',
};
