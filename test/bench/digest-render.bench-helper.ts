import { personalise } from '../../lambdas/core/digest/personalise';
import { compileEdition, mjmlCompileCount } from '../../lambdas/render/digest-renderer';
import { fixtureEdition, publication } from '../fixtures/digest-edition';

export interface DigestRenderMeasurement {
  /** MJML runs for one edition (both tiers); the design promises at most 2. */
  compilesPerEdition: number;
  compileMs: { free: number; paid: number };
  /** Personalised messages per second on this core, alternating tiers. */
  messagesPerSecond: number;
  /** The same, with each joined string flattened into one buffer (V8 otherwise keeps a cheap rope). */
  flattenedMessagesPerSecond: number;
  /** The same, also UTF-8 encoded (Buffer.byteLength): what building the SES request costs anyway. */
  encodedMessagesPerSecond: number;
  htmlBytes: number;
}

/**
 * Not a timed test (CI machines vary): `npm run bench` prints it. The target is 50,000 messages per second
 * on one core for stage 2, since a large list must not wait on rendering, only on the SES send rate.
 */
export async function measureDigestRender(messages = 200_000): Promise<DigestRenderMeasurement> {
  const before = mjmlCompileCount();
  let start = performance.now();
  const free = await compileEdition(fixtureEdition('free'), publication);
  const freeMs = performance.now() - start;
  start = performance.now();
  const paid = await compileEdition(fixtureEdition('paid'), publication);
  const paidMs = performance.now() - start;
  const compilesPerEdition = mjmlCompileCount() - before;

  const measures = {
    rope: (text: string) => text.length,
    // Reading a character from the middle makes V8 flatten the rope.
    flat: (text: string) => text.charCodeAt(text.length >> 1),
    encoded: (text: string) => Buffer.byteLength(text),
  };
  const run = (measure: (text: string) => number): number => {
    let sink = 0;
    const began = performance.now();
    for (let i = 0; i < messages; i++) {
      const unsubscribeUrl = `https://lantern.example.net/api/unsubscribe?token=${i}&lang=en`;
      const manageUrl = `https://lantern.example.net/api/subscribers/manage?token=${i}`;
      const message =
        i % 2 === 0
          ? personalise(free, { unsubscribeUrl, manageUrl })
          : personalise(paid, {
              unsubscribeUrl,
              manageUrl,
              feedUrl: `https://lantern.example.net/feeds/private/${i}/rss.xml`,
            });
      sink += measure(message.html) + measure(message.text);
    }
    const seconds = (performance.now() - began) / 1000;
    if (sink === 0) throw new Error('Nothing was rendered');
    return Math.round(messages / seconds);
  };

  const sample = personalise(free, {
    unsubscribeUrl: 'https://lantern.example.net/api/unsubscribe?token=x',
    manageUrl: 'https://lantern.example.net/api/subscribers/manage?token=x',
  });
  return {
    compilesPerEdition,
    compileMs: { free: Math.round(freeMs), paid: Math.round(paidMs) },
    messagesPerSecond: run(measures.rope),
    flattenedMessagesPerSecond: run(measures.flat),
    encodedMessagesPerSecond: run(measures.encoded),
    htmlBytes: Buffer.byteLength(sample.html),
  };
}
