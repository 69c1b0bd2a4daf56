import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import { RateLimitedError } from '../../lambdas/core/shared/errors';
import { errorAnswer } from '../../lambdas/http/error-mapping';
import { parsePublication } from '../../lambdas/core/shared/publication';
import {
  addressCounterKey,
  SignUpDesk,
  SignUpProcessor,
  type RateCounter,
  type SignUpMessage,
} from '../../lambdas/core/subscribers/sign-up';
import type { SubscribersRepository } from '../../lambdas/core/subscribers/subscriber-service';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import type { Subscriber } from '../../lambdas/core/subscribers/subscribers';

const publication = parsePublication(cdkJson.context.dispatch);
const now = new Date('2026-11-24T09:00:30Z');

const existing = (status: Subscriber['status']): Subscriber => ({
  email: 'reader@example.org',
  subscriberId: '01JD0000000000000000000001',
  tier: 'free',
  status,
  feedTokenVersion: 0,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

/** One recorder for everything a sign-up could touch: the subscriber store, the counter, the queue, the mailer. */
function world(stored: Subscriber | undefined) {
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const queued: SignUpMessage[] = [];
  const subscribers: SubscribersRepository = {
    get: async () => (calls.push('subscribers.get'), stored),
    getBySubscriberId: async () => (calls.push('subscribers.getBySubscriberId'), stored),
    save: async () => (calls.push('subscribers.save'), true),
  };
  const counter: RateCounter = {
    increment: async (key) => {
      calls.push('counter.increment');
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return counts.get(key) ?? 0;
    },
  };
  const desk = new SignUpDesk(counter, {
    send: async (message) => {
      calls.push('queue.send');
      queued.push(message);
    },
  });
  const mailer = { send: async () => (calls.push('mail.send'), { messageId: 'm' }) };
  const processor = new SignUpProcessor(subscribers, new SubscriberTokens('k'.repeat(40)), mailer, publication);
  return { calls, queued, desk, processor };
}

describe('the public sign-up request is one path for every address', () => {
  it('makes the same calls, and no subscriber lookup, for a new, pending, active and suppressed address', async () => {
    const seen: string[][] = [];
    for (const stored of [undefined, existing('pending'), existing('active'), existing('bounced')]) {
      const { calls, queued, desk } = world(stored);
      const answer = await desk.accept({ email: ' Reader@Example.org ' }, now);
      expect(answer).toBeUndefined();
      expect(queued).toEqual([{ email: 'reader@example.org' }]);
      seen.push(calls);
    }
    expect(seen[0]).toEqual(['counter.increment', 'queue.send']);
    for (const calls of seen) expect(calls).toEqual(seen[0]);
  });

  it('leaves the state-dependent work to the worker, off the request path', async () => {
    const fresh = world(undefined);
    await fresh.processor.process({ email: 'reader@example.org' }, now);
    expect(fresh.calls).toEqual(['subscribers.get', 'subscribers.save', 'mail.send']);
    const active = world(existing('active'));
    await active.processor.process({ email: 'reader@example.org' }, now);
    expect(active.calls).toEqual(['subscribers.get']);
  });
});

describe('the per-address limit', () => {
  it('queues five sign-ups a minute for one address and answers the sixth with 429 and the seconds left', async () => {
    const { desk, queued } = world(undefined);
    for (let attempt = 0; attempt < 5; attempt += 1) await desk.accept({ email: 'reader@example.org' }, now);
    const refused = await desk.accept({ email: 'reader@example.org' }, now).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ retryAfterSeconds: 30 });
    expect(errorAnswer(refused)?.status).toBe(429);
    expect(queued).toHaveLength(5);
    // Other addresses are counted apart, and the next window starts afresh.
    await desk.accept({ email: 'other@example.org' }, now);
    await desk.accept({ email: 'reader@example.org' }, new Date('2026-11-24T09:01:00Z'));
    expect(queued).toHaveLength(7);
  });

  it('keys the counter by a hash, never by the address', () => {
    const key = addressCounterKey('reader@example.org', 1_800_000_000);
    expect(key).not.toContain('reader');
    expect(key).not.toContain('@');
  });
});
