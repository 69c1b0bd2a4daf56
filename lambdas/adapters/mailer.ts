import { SendEmailCommand, SESv2Client, type SendEmailCommandOutput } from '@aws-sdk/client-sesv2';
import {
  SendRejectedError,
  SendThrottledError,
  SendUnavailableError,
  type OutgoingMail,
  type PacedMailer,
} from '../core/digest/outgoing-mail';

/** The one SESv2 call the mailer makes; the SDK client satisfies it, and tests wrap it to inject faults. */
export interface SendEmailClient {
  send(command: SendEmailCommand): Promise<SendEmailCommandOutput>;
}

let ses: SESv2Client | undefined;

/**
 * The SDK's own retries are off: it would retry 5xx and timeouts, where SES may already have accepted the
 * message, and a retry would mail the reader twice. The mailer retries only what is safe (throttling).
 */
export function sesClient(): SESv2Client {
  ses ??= new SESv2Client({ maxAttempts: 1 });
  return ses;
}

export interface SesMailerOptions {
  fromAddress: string;
  configurationSetName: string;
  /** Messages per second this process may send (the token bucket's rate). */
  ratePerSecond: number;
  /** Attempts per message while SES throttles. @default 5 */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt, full jitter. @default 100 */
  baseDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SESv2 SendEmail with Simple content, paced by a token bucket (local runs and each Lambda instance; on AWS the
 * mail sender's maximum concurrency divides the publication rate between instances) and with exponential
 * backoff plus full jitter while SES throttles.
 */
export class SesMailer implements PacedMailer {
  private readonly bucket: TokenBucket;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: SendEmailClient,
    private readonly options: SesMailerOptions,
  ) {
    this.sleep = options.sleep ?? sleepFor;
    this.bucket = new TokenBucket(options.ratePerSecond, this.sleep);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.random = options.random ?? Math.random;
  }

  slot(): Promise<void> {
    return this.bucket.take();
  }

  async sendOnce(mail: OutgoingMail): Promise<{ messageId: string }> {
    try {
      const output = await this.client.send(sendEmailCommand(mail, this.options));
      if (!output.MessageId) throw new Error('SES accepted the message without a MessageId');
      return { messageId: output.MessageId };
    } catch (error) {
      const kind = classifySendError(error);
      if (kind === 'throttled') throw new SendThrottledError(errorName(error), { cause: error });
      if (kind === 'rejected') throw new SendRejectedError(errorName(error), { cause: error });
      if (kind === 'unavailable') throw new SendUnavailableError(errorName(error), { cause: error });
      throw error;
    }
  }

  /** Paced and retried while SES throttles: for single mails (confirmations) that keep no exactly-once record. */
  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    for (let attempt = 1; ; attempt += 1) {
      await this.slot();
      try {
        return await this.sendOnce(mail);
      } catch (error) {
        if (!(error instanceof SendThrottledError) || attempt >= this.maxAttempts) {
          if (error instanceof SendThrottledError) {
            throw new SendThrottledError(`SES throttled ${attempt} attempts`, { cause: error.cause });
          }
          throw error;
        }
        await this.sleep(backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random));
      }
    }
  }
}

/** Exponential backoff with full jitter: a random delay up to a ceiling that doubles per attempt. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1));
}

function sendEmailCommand(
  mail: OutgoingMail,
  options: Pick<SesMailerOptions, 'fromAddress' | 'configurationSetName'>,
): SendEmailCommand {
  return new SendEmailCommand({
    FromEmailAddress: options.fromAddress,
    Destination: { ToAddresses: [mail.to] },
    ConfigurationSetName: options.configurationSetName,
    Content: {
      Simple: {
        Subject: { Data: mail.subject, Charset: 'UTF-8' },
        Body: { Html: { Data: mail.html, Charset: 'UTF-8' }, Text: { Data: mail.text, Charset: 'UTF-8' } },
        ...(mail.headers && mail.headers.length > 0
          ? { Headers: mail.headers.map((header) => ({ Name: header.name, Value: header.value })) }
          : {}),
      },
    },
    ...(mail.tags
      ? { EmailTags: Object.entries(mail.tags).map(([Name, Value]) => ({ Name, Value: sesTagValue(Value) })) }
      : {}),
  });
}

type SendErrorKind = 'throttled' | 'rejected' | 'unavailable' | 'unknown';

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'SlowDown']);
/** Errors raised before a request reaches SES: nothing can have been sent. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET_BEFORE_SEND']);

interface ErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function classifySendError(error: unknown): SendErrorKind {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  if (THROTTLING.has(shape.name ?? '') || status === 429) return 'throttled';
  if (UNREACHABLE.has(shape.code ?? '')) return 'unavailable';
  // 4xx: SES looked at the request and refused it, so it was not sent (quota exhaustion is not throttling).
  if (shape.$fault === 'client' || (status !== undefined && status >= 400 && status < 500)) return 'rejected';
  return 'unknown';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** SES tag values allow ASCII letters, digits, `_`, `-`, `.` and `@` only. */
function sesTagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);
}

/**
 * Tokens accrue at `rate` per second up to one second's worth; each send takes one. Callers queue in order, so
 * concurrent sends in one process share the rate instead of each assuming the whole of it.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private queue: Promise<void> = Promise.resolve();
  private readonly capacity: number;

  constructor(
    private readonly rate: number,
    private readonly sleep: (ms: number) => Promise<void> = sleepFor,
  ) {
    if (!(rate > 0)) throw new Error('The send rate must be positive');
    this.capacity = Math.max(1, Math.floor(rate));
    this.tokens = this.capacity;
  }

  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        await this.sleep(((1 - this.tokens) / this.rate) * 1000);
        this.refill();
      }
      this.tokens -= 1;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
