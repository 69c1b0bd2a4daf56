import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FINAL_DIGEST_STATES, type DigestProgress, type SubscriberTier } from '../api-client';
import type { CommandContext } from '../context';
import { CommandFailed, NetworkError, UsageError } from '../errors';
import { formatPairs } from '../output';
import { ProgressBar } from '../progress';

export const POLL_INTERVAL_MS = 1000;
/** Consecutive failed polls tolerated: a blip should not abandon watching an edition that is still sending. */
const POLL_RETRIES = 3;

export async function previewDigest(ctx: CommandContext, tier: SubscriberTier, out: string): Promise<void> {
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
  const client = ctx.client();
  const { id } = await client.sendDigest();
  ctx.io.stdout.write(`edition ${id}\n`);
  if (!options.wait) return;

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
    progress.update(state.sent + state.failed + state.suppressed, {
      ...(state.recipients === undefined ? {} : { total: state.recipients }),
      detail: `${state.status} · sent ${state.sent} · failed ${state.failed} · suppressed ${state.suppressed}`,
    });
    if ((FINAL_DIGEST_STATES as readonly string[]).includes(state.status)) break;
    await ctx.sleep(POLL_INTERVAL_MS);
  }
  progress.finish();

  ctx.io.stdout.write(
    formatPairs([
      ['status', state.status],
      ['recipients', state.recipients],
      ['sent', state.sent],
      ['failed', state.failed],
      ['suppressed', state.suppressed],
    ]),
  );
  if (state.status !== 'sent') {
    throw new CommandFailed(`edition ${id} ended ${state.status}; the operator logs and alarms say why`);
  }
}
