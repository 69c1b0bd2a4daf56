import { describe, expect, it } from 'vitest';
import { EditionLeakError } from '../../lambdas/core/digest/edition-planner';
import {
  SendRejectedError,
  SendThrottledError,
  type Mailer,
  type OutgoingMail,
} from '../../lambdas/core/digest/outgoing-mail';
import { previewNextEdition, sendTestEdition } from '../../lambdas/core/digest/test-edition';
import { ConflictError, InvalidInputError, RateLimitedError } from '../../lambdas/core/shared/errors';

const NOW = new Date('2026-11-30T08:00:00.000Z');
const WINDOW = { start: '2026-11-29T08:00:00.000Z', end: NOW.toISOString() };
const PREVIEW = {
  subject: 'Dispatch Monitor — Two reports',
  html: '<p>Two reports</p>',
  text: 'Two reports',
  shortenedReportIds: [],
  shortenedReports: [],
  window: WINDOW,
};

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  constructor(private readonly failure?: Error) {}
  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    if (this.failure) throw this.failure;
    this.sent.push(mail);
    return { messageId: `message-${this.sent.length}` };
  }
}

const planner = (preview: () => Promise<typeof PREVIEW | undefined>) => ({ preview });

describe('test send of the next edition', () => {
  it('mails the tier’s preview to the one address, subject marked [Test], tagged as a test', async () => {
    const mailer = new RecordingMailer();
    const sent = await sendTestEdition(
      planner(async () => PREVIEW),
      mailer,
      { email: 'tester@example.org', tier: 'paid' },
      NOW,
    );
    expect(sent).toEqual({ tier: 'paid', subject: '[Test] Dispatch Monitor — Two reports', messageId: 'message-1' });
    expect(mailer.sent).toEqual([
      {
        to: 'tester@example.org',
        subject: '[Test] Dispatch Monitor — Two reports',
        html: PREVIEW.html,
        text: PREVIEW.text,
        tags: { kind: 'test', tier: 'paid' },
      },
    ]);
  });

  it('sends nothing and answers nothing_to_preview when no report is due', async () => {
    const mailer = new RecordingMailer();
    const refusal = sendTestEdition(
      planner(async () => undefined),
      mailer,
      { email: 'a@b.org', tier: 'free' },
      NOW,
    );
    await expect(refusal).rejects.toBeInstanceOf(ConflictError);
    await expect(refusal).rejects.toMatchObject({ code: 'nothing_to_preview' });
    expect(mailer.sent).toEqual([]);
  });

  it('sends nothing when the leak scan blocks the free edition, with the preview’s leak_blocked answer', async () => {
    const mailer = new RecordingMailer();
    const blocked = planner(async () => {
      throw new EditionLeakError();
    });
    const refusal = sendTestEdition(blocked, mailer, { email: 'a@b.org', tier: 'free' }, NOW);
    await expect(refusal).rejects.toMatchObject({ kind: 'conflict', code: 'leak_blocked' });
    await expect(previewNextEdition(blocked, 'free', NOW)).rejects.toMatchObject({ code: 'leak_blocked' });
    expect(mailer.sent).toEqual([]);
  });

  it('says an address the provider refuses is the caller’s problem, naming email', async () => {
    const mailer = new RecordingMailer(new SendRejectedError('MessageRejected'));
    const refusal = sendTestEdition(
      planner(async () => PREVIEW),
      mailer,
      { email: 'a@b.org', tier: 'free' },
      NOW,
    );
    await expect(refusal).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refusal).rejects.toMatchObject({ fields: [{ field: 'email' }] });
  });

  it('answers a provider that keeps throttling with a retry-later refusal', async () => {
    const mailer = new RecordingMailer(new SendThrottledError('throttled'));
    const refusal = sendTestEdition(
      planner(async () => PREVIEW),
      mailer,
      { email: 'a@b.org', tier: 'free' },
      NOW,
    );
    await expect(refusal).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('lets any other failure through as a fault of ours', async () => {
    const mailer = new RecordingMailer(new Error('socket hang up'));
    const refusal = sendTestEdition(
      planner(async () => PREVIEW),
      mailer,
      { email: 'a@b.org', tier: 'free' },
      NOW,
    );
    await expect(refusal).rejects.toThrow('socket hang up');
  });
});
