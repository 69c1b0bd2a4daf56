import { ConflictError, InvalidInputError, RateLimitedError } from '../shared/errors';
import type { ReaderTier } from '../shared/reader-tier';
import { EditionLeakError, type EditionPlanner } from './edition-planner';
import { SendRejectedError, SendThrottledError, type Mailer } from './outgoing-mail';

/** Marks a test mail in the inbox, so nobody takes it for an edition that went out. */
export const TEST_SUBJECT_PREFIX = '[Test] ';

/**
 * `GET /api/digests/preview`: the next edition for one tier, as its readers would get it, with placeholder
 * links. The free one passes the same leak scan as every free mail; one the scan cannot clean is refused.
 */
export async function previewNextEdition(planner: Pick<EditionPlanner, 'preview'>, tier: ReaderTier, now: Date) {
  const preview = await planner.preview(tier, now).catch((error: unknown) => {
    if (error instanceof EditionLeakError) throw new ConflictError('leak_blocked', `${error.message}; see the logs`);
    throw error;
  });
  if (!preview) {
    const message = 'No report was published since the last edition; there is nothing to preview';
    throw new ConflictError('nothing_to_preview', message);
  }
  return preview;
}

/**
 * `POST /api/digests/test`: the preview of one tier mailed to one address, subject marked `[Test] `. It records
 * no edition, claims no report and moves no window, so the real edition still goes out as before. The address
 * need not subscribe. Its links are the preview's placeholders (token `preview`, which carries no signature): the
 * unsubscribe link opens "This link is not valid" and changes nothing, the paid private-feed link answers 404.
 */
export async function sendTestEdition(
  planner: Pick<EditionPlanner, 'preview'>,
  mailer: Mailer,
  request: { email: string; tier: ReaderTier },
  now: Date,
): Promise<{ tier: ReaderTier; subject: string; messageId: string }> {
  const { tier, email } = request;
  const preview = await previewNextEdition(planner, tier, now);
  const subject = `${TEST_SUBJECT_PREFIX}${preview.subject}`;
  // No List-Unsubscribe headers: a test mail belongs to no list, and its placeholder link unsubscribes nobody.
  const mail = { to: email, subject, html: preview.html, text: preview.text, tags: { kind: 'test', tier } };
  const { messageId } = await mailer.send(mail).catch(refusedSend);
  return { tier, subject, messageId };
}

/** What the mail provider refuses is said as the caller's problem; anything else stays a fault of ours. */
function refusedSend(error: unknown): never {
  if (error instanceof SendRejectedError) {
    const message = 'the mail provider refused this address (in the SES sandbox, only verified addresses)';
    throw new InvalidInputError([{ field: 'email', message }], 'The test mail was refused');
  }
  if (error instanceof SendThrottledError) throw new RateLimitedError(10, 'The mail provider is busy; try again');
  throw error;
}
