import { readFile } from 'node:fs/promises';

/**
 * Where a thread's CPU went during a time window, from a V8 `.cpuprofile` (`node --cpu-prof`), by component of the
 * local stack: each sample goes to the innermost frame on its stack that belongs to a known component (dynalite,
 * the SES emulator, the AWS SDK, our handlers…), so native leaves such as `writev` or `JSON.parse` count for the
 * code that called them. Async continuations start a new stack, so work is charged to the code that runs it (an
 * HTTP body parsed by undici is undici's, whoever asked for it).
 */
export interface ProfileSummary {
  /** Milliseconds on the thread's stack in the window that were not idle. */
  busyMs: number;
  /** Component → milliseconds, largest first. */
  components: [string, number][];
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** URL patterns, checked in order; the first that matches names the component. */
const COMPONENTS: readonly (readonly [RegExp, string])[] = [
  // The route the SES feedback poller calls once a second: it serialises every mail of the last second(s).
  [/aws-ses-v2-local\/dist\/index\.js#44$/, 'SES emulator: GET /store (feedback poller)'],
  [/node_modules\/(dynalite|classic-level|abstract-level|level-[^/]+|memdown|lazy)\//, 'dynalite (DynamoDB emulator)'],
  [/node_modules\/(aws-ses-v2-local|express|body-parser|raw-body|router|mailparser|iconv-lite)\//, 'SES emulator'],
  [/node_modules\/(s3rver|koa[^/]*|@koa\/[^/]+)\//, 's3rver (S3 emulator)'],
  [/node_modules\/(@smithy|@aws-sdk|@aws-crypto)\//, 'AWS SDK (serialise, sign, HTTP)'],
  [/node:internal\/deps\/undici|node_modules\/undici\//, 'fetch (undici)'],
  [/node_modules\/(@aws-lambda-powertools|aws-xray-sdk[^/]*|cls-hooked|async-hook-jl)\//, 'Powertools / X-Ray'],
  [/node_modules\/(mjml[^/]*|juice|cheerio[^/]*|html-minifier[^/]*|js-beautify)\//, 'MJML'],
  [/node_modules\/zod\//, 'zod'],
  [/node_modules\/tsx\/|node:internal\/modules\//, 'module loading (tsx)'],
  [/\/local\/stream-proxy\.ts/, 'stream proxy (ours)'],
  [/\/local\/ses-feedback-poller\.ts/, 'SES feedback poller (ours)'],
  [/\/local\/(sqs-endpoint|durable-queue)\.ts/, 'SQS endpoint + journals (ours)'],
  [/\/local\/(gateway|api\/|edge\/)/, 'gateway (ours)'],
  [/\/local\//, 'local stack, other (ours)'],
  [/\/lambdas\//, 'handlers + core (ours)'],
  [/\/test\/bench\//, 'bench probe'],
];

function componentOf(frame: CallFrame): string | undefined {
  if (frame.url === '') return undefined;
  const key = `${frame.url}#${frame.lineNumber}`;
  return COMPONENTS.find(([pattern]) => pattern.test(key))?.[1];
}

/** Monotonic microseconds now (the clock V8 stamps profiles with, shared by every process on the machine). */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

export async function summariseProfile(
  file: string,
  window: { fromUs: number; toUs: number },
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const charged = new Map<number, string>();
  const chargeOf = (id: number): string => {
    const known = charged.get(id);
    if (known !== undefined) return known;
    const node = nodes.get(id);
    if (!node) throw new Error(`Profile node ${id} missing in ${file}`);
    const name = node.callFrame.functionName;
    let component: string | undefined;
    if (name === '(idle)') component = 'idle';
    else if (name === '(garbage collector)') component = 'garbage collector';
    else if (name === '(program)') component = 'V8 (program)';
    else component = componentOf(node.callFrame);
    if (component === undefined) {
      const up = parent.get(id);
      component =
        up === undefined || up === profile.nodes[0]?.id ? 'Node runtime (http, streams, timers)' : chargeOf(up);
    }
    charged.set(id, component);
    return component;
  };

  const totals = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((sample, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (at < window.fromUs || at > window.toUs) return;
    const component = chargeOf(sample);
    // Each sample stands for the interval up to the next one.
    const interval = profile.timeDeltas[index + 1] ?? 0;
    totals.set(component, (totals.get(component) ?? 0) + interval / 1000);
  });
  totals.delete('idle');
  const components = [...totals].sort((a, b) => b[1] - a[1]);
  return { busyMs: components.reduce((sum, [, ms]) => sum + ms, 0), components };
}
