import type { SendEmailCommand, SendEmailCommandOutput } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { classifySendError, SesMailer, TokenBucket } from '../../lambdas/adapters/mailer';
import { SendRejectedError, SendThrottledError } from '../../lambdas/core/digest/outgoing-mail';

const throttle = () =>
  Object.assign(new Error('slow down'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
const mail = {
  to: 'a@example.org',
  subject: 'S',
  html: '<p>H</p>',
  text: 'T',
  headers: [{ name: 'List-Unsubscribe', value: '<https://x/u>' }],
  tags: { edition: '01J/x' },
};

function fakeClient(failures: (() => Error)[]) {
  const commands: SendEmailCommand[] = [];
  return {
    commands,
    send(command: SendEmailCommand): Promise<SendEmailCommandOutput> {
      commands.push(command);
      const failure = failures.shift();
      return failure ? Promise.reject(failure()) : Promise.resolve({ MessageId: `m${commands.length}`, $metadata: {} });
    },
  };
}

const options = {
  fromAddress: 'digest@example.org',
  configurationSetName: 'cs',
  ratePerSecond: 1000,
  sleep: async () => undefined,
};

describe('SES mailer', () => {
  it('sends Simple content with headers, tags and the configuration set', async () => {
    const client = fakeClient([]);
    await expect(new SesMailer(client, options).send(mail)).resolves.toEqual({ messageId: 'm1' });
    const input = client.commands[0]?.input;
    expect(input).toMatchObject({
      FromEmailAddress: 'digest@example.org',
      ConfigurationSetName: 'cs',
      Destination: { ToAddresses: ['a@example.org'] },
      Content: {
        Simple: { Headers: [{ Name: 'List-Unsubscribe', Value: '<https://x/u>' }], Body: { Text: { Data: 'T' } } },
      },
      EmailTags: [{ Name: 'edition', Value: '01J_x' }],
    });
  });

  it('retries throttling with full-jitter backoff, then gives up with a typed error', async () => {
    const delays: number[] = [];
    const client = fakeClient([throttle, throttle]);
    const mailer = new SesMailer(client, {
      ...options,
      random: () => 1,
      baseDelayMs: 100,
      sleep: async (ms) => void delays.push(ms),
    });
    await expect(mailer.send(mail)).resolves.toEqual({ messageId: 'm3' });
    expect(delays).toEqual([100, 200]);
    const always = new SesMailer(fakeClient(Array.from({ length: 10 }, () => throttle)), {
      ...options,
      maxAttempts: 3,
    });
    await expect(always.send(mail)).rejects.toBeInstanceOf(SendThrottledError);
  });

  it('never retries a rejection or an unknown outcome (SES may have sent it)', async () => {
    const rejected = fakeClient([() => Object.assign(new Error('bad'), { name: 'MessageRejected', $fault: 'client' })]);
    await expect(new SesMailer(rejected, options).send(mail)).rejects.toBeInstanceOf(SendRejectedError);
    expect(rejected.commands).toHaveLength(1);
    const unknown = fakeClient([() => Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 500 } })]);
    await expect(new SesMailer(unknown, options).send(mail)).rejects.toThrow('boom');
    expect(unknown.commands).toHaveLength(1);
    expect(classifySendError({ name: 'ThrottlingException' })).toBe('throttled');
    expect(classifySendError({ code: 'ECONNREFUSED' })).toBe('unavailable');
  });
});

describe('token bucket', () => {
  it('paces takes to the rate after the first second’s burst', async () => {
    const bucket = new TokenBucket(20);
    const started = performance.now();
    for (let i = 0; i < 30; i += 1) await bucket.take();
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
  });
});
