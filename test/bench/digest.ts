import { parseCompiledEdition, type CompiledEdition } from '../../lambdas/core/digest/compiled-edition';
import { personalise, type PersonalisedMessage } from '../../lambdas/core/digest/personalise';
import { compileEdition, mjmlCompileCount } from '../../lambdas/render/digest-renderer';
import { fixtureEdition, publication } from '../fixtures/digest-edition';
import { formatList, median, round } from './stats';

/**
 * Stage 2 of the digest (personalise) against the naive alternative (one MJML compile per recipient), side by
 * side in one run, and the compile count of one 10,000-subscriber edition. Built on the same fixture edition as
 * test/bench/digest-render.bench-helper.ts.
 */
export interface DigestFigures {
  /** Messages as complete, flat strings (html + text + subject + headers): what SendEmail's input holds. */
  messagesPerSecond: number;
  messagesPerSecondRuns: number[];
  /** The same, stopping at V8's lazy concatenation (strings not yet flattened). */
  ropeMessagesPerSecond: number;
  /** The same, also UTF-8 encoded (Buffer.byteLength), which the SDK's request serialisation does anyway. */
  encodedMessagesPerSecond: number;
  /** UTF-8 encoding alone of one already-flat message, repeated: the Node floor under the encoded figure. */
  encodeOnlyPerSecond: number;
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
  manageUrl: `https://reports.example.org/api/subscribers/manage?token=man${i.toString(36)}x${(i * 7877).toString(36)}`,
  ...(tier === 'paid'
    ? { feedUrl: `https://reports.example.org/feeds/private/f${(i * 104729).toString(36)}/rss.xml` }
    : {}),
});

type Measure = (message: PersonalisedMessage) => number;

/** Stops at the joined strings: V8 keeps them as ropes until something reads them. */
const rope: Measure = (m) => m.html.length + m.text.length + m.subject.length + m.headers.length;
/** Reading a character from the middle makes V8 flatten each rope into one contiguous string. */
const flat: Measure = (m) =>
  m.html.charCodeAt(m.html.length >> 1) +
  m.text.charCodeAt(m.text.length >> 1) +
  m.headers.reduce((n, h) => n + h.value.length, 0);
/** The UTF-8 bytes of subject, HTML, text and headers, as the SES request will carry them. */
const encoded: Measure = (m) => {
  let bytes = Buffer.byteLength(m.subject) + Buffer.byteLength(m.html) + Buffer.byteLength(m.text);
  for (const header of m.headers) bytes += Buffer.byteLength(header.name) + Buffer.byteLength(header.value);
  return bytes;
};

function oursPerSecond(
  editions: Record<'free' | 'paid', CompiledEdition>,
  count: number,
  offset: number,
  measure: Measure,
): number {
  let sink = 0;
  const began = performance.now();
  for (let i = offset; i < offset + count; i++) {
    const tier = i % 2 === 0 ? 'free' : 'paid';
    sink += measure(personalise(editions[tier], recipient(i, tier)));
  }
  const seconds = (performance.now() - began) / 1000;
  if (sink === 0) throw new Error('Nothing was personalised');
  return count / seconds;
}

function encodeOnlyPerSecond(message: PersonalisedMessage, count: number): number {
  flat(message);
  let sink = 0;
  const began = performance.now();
  for (let i = 0; i < count; i++) sink += encoded(message);
  const seconds = (performance.now() - began) / 1000;
  if (sink === 0) throw new Error('Nothing was encoded');
  return count / seconds;
}

/** The naive path: fill and compile the MJML for every recipient, then produce the same message. */
async function naivePerSecond(count: number, offset: number): Promise<number> {
  let sink = 0;
  const began = performance.now();
  for (let i = offset; i < offset + count; i++) {
    const tier = i % 2 === 0 ? 'free' : 'paid';
    const compiled = await compileEdition(fixtureEdition(tier), publication);
    sink += flat(personalise(compiled, recipient(i, tier)));
  }
  const seconds = (performance.now() - began) / 1000;
  if (sink === 0) throw new Error('Nothing was rendered');
  return count / seconds;
}

/** The sender loads the compiled edition as JSON from the vault; personalise works on that parsed copy. */
const roundTrip = (compiled: CompiledEdition): CompiledEdition =>
  parseCompiledEdition(JSON.parse(JSON.stringify(compiled)));

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
    naiveFirst.html === oursFirst.html &&
    naiveFirst.text === oursFirst.text &&
    naiveFirst.subject === oursFirst.subject;

  oursPerSecond(editions, 20_000, 0, flat); // warm-up: let the JIT settle before the timed runs
  await naivePerSecond(2, 0);
  const ours: number[] = [];
  const ropes: number[] = [];
  const encodes: number[] = [];
  const floors: number[] = [];
  const naive: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    const offset = rep * MESSAGES_PER_REPETITION;
    ours.push(oursPerSecond(editions, MESSAGES_PER_REPETITION, offset, flat));
    ropes.push(oursPerSecond(editions, MESSAGES_PER_REPETITION, offset, rope));
    encodes.push(oursPerSecond(editions, MESSAGES_PER_REPETITION / 2, offset, encoded));
    floors.push(
      encodeOnlyPerSecond(personalise(editions.free, recipient(offset, 'free')), MESSAGES_PER_REPETITION / 4),
    );
    naive.push(await naivePerSecond(NAIVE_PER_REPETITION, rep * NAIVE_PER_REPETITION));
  }
  const messagesPerSecond = median(ours);
  const naiveMessagesPerSecond = median(naive);
  log(
    `digest: flat ${formatList(ours, 0)} msg/s; rope ${formatList(ropes, 0)}; utf-8 encoded ${formatList(encodes, 0)}; encode-only floor ${formatList(floors, 0)}`,
  );
  log(`digest: naive (MJML per recipient) ${formatList(naive)} msg/s; same output both ways: ${sameOutput}`);
  return {
    messagesPerSecond: round(messagesPerSecond),
    messagesPerSecondRuns: ours.map((v) => round(v)),
    ropeMessagesPerSecond: round(median(ropes)),
    encodedMessagesPerSecond: round(median(encodes)),
    encodeOnlyPerSecond: round(median(floors)),
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
