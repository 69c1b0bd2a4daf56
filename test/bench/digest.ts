import { parseCompiledEdition, personalise, type CompiledEdition, type PersonalisedMessage } from '../../lambdas/core/digest';
import { compileEdition, mjmlCompileCount } from '../../lambdas/render/digest-renderer';
import { fixtureEdition, publication } from '../fixtures/digest-edition';
import { median, round } from './stats';

/**
 * Stage 2 of the digest (personalise) against the naive alternative (one MJML compile per recipient), side by
 * side in one run, and the compile count of one 10,000-subscriber edition. Built on the same fixture edition as
 * test/bench/digest-render.bench-helper.ts.
 */
export interface DigestFigures {
  messagesPerSecond: number;
  messagesPerSecondRuns: number[];
  naiveMessagesPerSecond: number;
  naiveSample: number;
  speedup: number;
  compilesPerEdition: number;
  editionRecipients: number;
  htmlBytes: number;
  textBytes: number;
  sameOutput: boolean;
}

const REPETITIONS = 7;
const MESSAGES_PER_REPETITION = 40_000;
const NAIVE_PER_REPETITION = 5;

const recipient = (i: number, tier: 'free' | 'paid') => ({
  unsubscribeUrl: `https://reports.example.org/api/unsubscribe?token=tok${i.toString(36)}x${(i * 7919).toString(36)}`,
  ...(tier === 'paid' ? { feedUrl: `https://reports.example.org/feeds/private/f${(i * 104729).toString(36)}/rss.xml` } : {}),
});

/**
 * What the sender hands to SES for one message: the UTF-8 bytes of subject, HTML, text and headers. Encoding
 * forces V8 to flatten the joined strings, so no lazy concatenation is left unpaid.
 */
function sesPayloadBytes(message: PersonalisedMessage): number {
  let bytes = Buffer.byteLength(message.subject) + Buffer.byteLength(message.html) + Buffer.byteLength(message.text);
  for (const header of message.headers) bytes += Buffer.byteLength(header.name) + Buffer.byteLength(header.value);
  return bytes;
}

function oursPerSecond(editions: Record<'free' | 'paid', CompiledEdition>, count: number, offset: number): number {
  let sink = 0;
  const began = performance.now();
  for (let i = offset; i < offset + count; i++) {
    const tier = i % 2 === 0 ? 'free' : 'paid';
    sink += sesPayloadBytes(personalise(editions[tier], recipient(i, tier)));
  }
  const seconds = (performance.now() - began) / 1000;
  if (sink === 0) throw new Error('Nothing was personalised');
  return count / seconds;
}

/** The naive path: fill and compile the MJML for every recipient, then produce the same message. */
async function naivePerSecond(count: number, offset: number): Promise<number> {
  let sink = 0;
  const began = performance.now();
  for (let i = offset; i < offset + count; i++) {
    const tier = i % 2 === 0 ? 'free' : 'paid';
    const compiled = await compileEdition(fixtureEdition(tier), publication);
    sink += sesPayloadBytes(personalise(compiled, recipient(i, tier)));
  }
  const seconds = (performance.now() - began) / 1000;
  if (sink === 0) throw new Error('Nothing was rendered');
  return count / seconds;
}

/** The sender loads the compiled edition as JSON from the vault; personalise works on that parsed copy. */
const roundTrip = (compiled: CompiledEdition): CompiledEdition => parseCompiledEdition(JSON.parse(JSON.stringify(compiled)));

export async function measureDigest(log: (line: string) => void): Promise<DigestFigures> {
  // One edition to 10,000 subscribers of both tiers: stage 1 per tier, stage 2 per subscriber.
  const editionRecipients = 10_000;
  const before = mjmlCompileCount();
  const editions = {
    free: roundTrip(await compileEdition(fixtureEdition('free'), publication)),
    paid: roundTrip(await compileEdition(fixtureEdition('paid'), publication)),
  };
  for (let i = 0; i < editionRecipients; i++) {
    const tier = i < editionRecipients / 2 ? 'free' : 'paid';
    personalise(editions[tier], recipient(i, tier));
  }
  const compilesPerEdition = mjmlCompileCount() - before;

  // Same output both ways (the sentinels differ per compile, the joined messages must not).
  const naiveFirst = personalise(await compileEdition(fixtureEdition('paid'), publication), recipient(1, 'paid'));
  const oursFirst = personalise(editions.paid, recipient(1, 'paid'));
  const sameOutput =
    naiveFirst.html === oursFirst.html && naiveFirst.text === oursFirst.text && naiveFirst.subject === oursFirst.subject;

  oursPerSecond(editions, 20_000, 0); // warm-up: let the JIT settle before the timed runs
  await naivePerSecond(2, 0);
  const ours: number[] = [];
  const naive: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    ours.push(oursPerSecond(editions, MESSAGES_PER_REPETITION, rep * MESSAGES_PER_REPETITION));
    naive.push(await naivePerSecond(NAIVE_PER_REPETITION, rep * NAIVE_PER_REPETITION));
  }
  const messagesPerSecond = median(ours);
  const naiveMessagesPerSecond = median(naive);
  log(
    `digest: ours ${ours.map((v) => round(v)).join(', ')} msg/s; naive ${naive.map((v) => round(v, 1)).join(', ')} msg/s; same output: ${sameOutput}`,
  );
  return {
    messagesPerSecond: round(messagesPerSecond),
    messagesPerSecondRuns: ours.map((v) => round(v)),
    naiveMessagesPerSecond: round(naiveMessagesPerSecond, 2),
    naiveSample: REPETITIONS * NAIVE_PER_REPETITION,
    speedup: round(messagesPerSecond / naiveMessagesPerSecond),
    compilesPerEdition,
    editionRecipients,
    htmlBytes: Buffer.byteLength(oursFirst.html),
    textBytes: Buffer.byteLength(oursFirst.text),
    sameOutput,
  };
}
