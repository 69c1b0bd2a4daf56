import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ReaderTier } from '../../../lambdas/core/shared/reader-tier';
import { FINAL_DIGEST_STATES, type DigestControl, type DigestProgress } from '../api-client';
import type { CommandContext } from '../context';
import { CommandFailed, NetworkError, UsageError } from '../errors';
import { formatPairs } from '../output';
import { ProgressBar } from '../progress';

export const POLL_INTERVAL_MS = 1000;
/** Consecutive failed polls tolerated: a blip should not abandon watching an edition that is still sending. */
const POLL_RETRIES = 3;

export async function previewDigest(ctx: CommandContext, tier: ReaderTier, out: string): Promise<void> {
  const preview = await ctx.client().previewDigest(tier);
  try {
    await writeFile(resolve(ctx.cwd, out), preview.html, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'write failed';
    throw new UsageError(`cannot write ${out}: ${code}`);
  }
  ctx.io.stdout.write(
    formatPairs([
      ['subject', preview.subject],
      ['written', out],
    ]),
  );
}

export async function sendDigest(ctx: CommandContext, options: { wait: boolean }): Promise<void> {
  const { id } = await ctx.client().sendDigest();
  ctx.io.stdout.write(`edition ${id}\n`);
  if (options.wait) await followDigest(ctx, id);
}

/** `dispatch digest status ID`: follows the edition with a progress bar until it ends (or pauses). */
export async function digestStatus(ctx: CommandContext, id: string): Promise<void> {
  await followDigest(ctx, id);
}

/** `dispatch digest pause|resume|cancel|retry-unknown ID`: one request, the edition's state after it. */
export async function controlDigest(ctx: CommandContext, id: string, action: DigestControl): Promise<void> {
  const state = await ctx.client().controlDigest(id, action);
  ctx.io.stdout.write(formatPairs(summary(state)));
}

function summary(state: DigestProgress): [string, string | number | undefined][] {
  return [
    ['status', state.status],
    ...(state.reason ? [['reason', state.reason] as [string, string]] : []),
    ['recipients', state.recipients],
    ['sent', state.sent],
    ['failed', state.failed],
    ['suppressed', state.suppressed],
    ['unknown', state.unknown],
    ['no series', state.noSeries],
    ['remaining', state.remaining],
  ];
}

async function followDigest(ctx: CommandContext, id: string): Promise<void> {
  const client = ctx.client();
  const progress = new ProgressBar(ctx.io.stderr, 'sending', undefined);
  let failures = 0;
  let state: DigestProgress;
  for (;;) {
    try {
      state = await client.digestProgress(id);
      failures = 0;
    } catch (error) {
      failures += 1;
      if (!(error instanceof NetworkError) || failures >= POLL_RETRIES) {
        progress.finish();
        throw error;
      }
      await ctx.sleep(POLL_INTERVAL_MS);
      continue;
    }
    progress.update(state.sent + state.failed + state.suppressed + state.unknown + state.noSeries, {
      ...(state.recipients === undefined ? {} : { total: state.recipients }),
      detail: `${state.status} · sent ${state.sent} · failed ${state.failed} · suppressed ${state.suppressed} · unknown ${state.unknown} · no series ${state.noSeries}`,
    });
    if ((FINAL_DIGEST_STATES as readonly string[]).includes(state.status)) break;
    await ctx.sleep(POLL_INTERVAL_MS);
  }
  progress.finish();

  ctx.io.stdout.write(formatPairs(summary(state)));
  if (state.status !== 'sent') {
    throw new CommandFailed(`edition ${id} is ${state.status}${state.reason ? `: ${state.reason}` : ''}`);
  }
}
