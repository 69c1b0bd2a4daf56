import type { MailHeader } from './personalise';

/** One message as the core hands it to the mail port; the SES adapter turns it into a SendEmail call. */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: MailHeader[];
  /** SES message tags (edition, tier, kind): they come back on bounce and complaint events. */
  tags?: Record<string, string>;
}

export interface Mailer {
  /** Resolves with the provider's message id once the provider has accepted the message (paced, retried). */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/**
 * The digest sender's mailer: it waits for its rate slot first and makes one call after, so that its own
 * exactly-once record can be claimed between the two (a crash then leaves an unknown outcome only for a call
 * that was really in flight). Retries are the sender's, around the claim.
 */
export interface PacedMailer extends Mailer {
  /** Waits for this process's next send slot. */
  slot(): Promise<void>;
  /** One provider call, no waiting, no retry. */
  sendOnce(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** The provider kept refusing for rate reasons after the adapter's own retries; try this recipient later. */
export class SendThrottledError extends Error {
  override readonly name = 'SendThrottledError';
}

/** The provider refused this message for good (bad address, rejected content): it was not sent. */
export class SendRejectedError extends Error {
  override readonly name = 'SendRejectedError';
}

/** The provider could not be reached at all: the message was certainly not sent and may be tried again. */
export class SendUnavailableError extends Error {
  override readonly name = 'SendUnavailableError';
}
