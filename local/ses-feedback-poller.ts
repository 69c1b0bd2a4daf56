import type { SNSEvent } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

/** The SES mailbox simulator's addresses whose mail comes back as a bounce or a complaint. */
export const SIMULATOR = {
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
} as const;

/** A mail as the SES emulator keeps it (the fields the poller reads). */
export interface StoredMail {
  messageId: string;
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  headers?: { name: string; value: string }[];
  at: number;
}

export type FeedbackInvoke = (event: SNSEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * Plays SES event publishing for the local stack: mail sent to the SES mailbox simulator's bounce and complaint
 * addresses comes back as the SNS event the `ses-feedback` function receives on AWS, once per mail. The
 * emulator keeps no message tags, so the edition comes from the `X-Dispatch-Edition` header the sender adds.
 *
 * It reads the emulator's inbox in process (`Emulators.sesInbox`), from where the last pass stopped. Asking
 * `GET /store?since=` instead made the emulator serialise, and this poller parse, every mail of the last second or
 * two on each pass, bodies included: at 200 mails/s about 20 MB of JSON a second on the thread that also runs
 * dynalite and the gateway.
 */
export class SesFeedbackPoller {
  private readonly seen = new Set<string>();
  /** Inbox position from which the next pass looks: the oldest mail whose feedback failed, or the end. */
  private from = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly inbox: () => readonly StoredMail[],
    private readonly invoke: FeedbackInvoke,
    private readonly options: { intervalMs: number; log: (line: string) => void },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over the emulator's inbox; concurrent calls share the pass in flight. */
  poll(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const emails = this.inbox();
    // The emulator's inbox only grows, unless someone cleared it (POST /clear-store): then start over.
    if (emails.length < this.from) this.from = 0;
    let firstFailed: number | undefined;
    for (let index = this.from; index < emails.length; index += 1) {
      const mail = emails[index];
      if (mail === undefined || this.seen.has(mail.messageId)) continue;
      const recipients = [...mail.destination.to, ...(mail.destination.cc ?? []), ...(mail.destination.bcc ?? [])].map(
        (address) => address.trim().toLowerCase(),
      );
      const kind = recipients.includes(SIMULATOR.bounce)
        ? 'bounce'
        : recipients.includes(SIMULATOR.complaint)
          ? 'complaint'
          : undefined;
      if (kind) {
        const edition = mail.headers?.find((header) => header.name.toLowerCase() === 'x-dispatch-edition')?.value;
        try {
          await this.invoke(snsEvent(feedbackEvent(kind, mail, edition)), lambdaContext('ses-feedback'));
        } catch (error) {
          // Left unseen: the next pass retries, as Lambda retries an asynchronous invocation.
          this.options.log(`ses-feedback failed: ${error instanceof Error ? error.message : String(error)}`);
          firstFailed ??= index;
          continue;
        }
      }
      this.seen.add(mail.messageId);
    }
    this.from = firstFailed ?? emails.length;
  }
}

function feedbackEvent(kind: 'bounce' | 'complaint', mail: StoredMail, edition: string | undefined): unknown {
  const timestamp = new Date(mail.at * 1000).toISOString();
  const base = {
    mail: {
      timestamp,
      messageId: mail.messageId,
      destination: mail.destination.to,
      tags: edition ? { edition: [edition] } : {},
    },
  };
  if (kind === 'bounce') {
    return {
      eventType: 'Bounce',
      ...base,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: SIMULATOR.bounce, action: 'failed', status: '5.1.1' }],
        timestamp,
      },
    };
  }
  return {
    eventType: 'Complaint',
    ...base,
    complaint: {
      complainedRecipients: [{ emailAddress: SIMULATOR.complaint }],
      complaintFeedbackType: 'abuse',
      timestamp,
    },
  };
}

function snsEvent(message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:dispatch-ses-feedback:local',
        Sns: {
          Type: 'Notification',
          MessageId: crypto.randomUUID(),
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:dispatch-ses-feedback',
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}
