import { mapConcurrently } from '../../lambdas/core/shared/concurrency';
import { FEED_PATHS, feedItemLinks, MalformedFeedError, type FeedFormat } from './feed-links';
import { sleep } from './local-stack';

/**
 * A feed reader that never blinks: it fetches `/feeds/rss.xml` from the gateway (the CloudFront stand-in) over
 * and over, and follows every item link it has not verified yet the moment a feed lists it, as a reader clicking
 * through would. Atom and JSON Feed are read every few rounds too (their links are the same pages). A link whose
 * page answers anything but 200 is a dangling link; the watcher checks that page again, backing off (a few at a
 * time, so a burst of dangling links cannot turn the watcher into the load), to find out when it appeared.
 */
export interface DanglingLink {
  url: string;
  /** The feed that listed the link first. */
  format: FeedFormat;
  status: number;
  /** Epoch ms the feed response that listed it was read. */
  listedAt: number;
  checkedAt: number;
  /** Epoch ms the page first answered 200 (undefined: never, within the watch). */
  pageOkAt: number | undefined;
}

export interface FeedWatchCounts {
  polls: Record<FeedFormat, number>;
  linksChecked: number;
  dangling: DanglingLink[];
}

/**
 * A feed answered 200 with a body that does not parse. Locally this is s3rver's FilesystemStore rewriting an
 * object in place (`createWriteStream` on the object's own path) while the edge reads it: the reader gets the
 * first bytes of the new file under the old metadata. S3 itself replaces an object atomically.
 */
export interface TornRead {
  format: FeedFormat;
  at: number;
  /** From the request to the end of the body. */
  durationMs: number;
  bytes: number;
  contentLength: string | null;
  lastModified: string | null;
  error: string;
}

export class TornReads {
  readonly count: Record<FeedFormat, number> = { rss: 0, atom: 0, json: 0 };
  readonly samples: TornRead[] = [];
  /** Feed GETs answered neither 200 nor 404 (the gateway's 500 when its S3 read fails), with their times. */
  readonly failedReads: { format: FeedFormat; status: number; at: number; durationMs: number }[] = [];

  /** Torn and failed reads so far. */
  total(): number {
    return this.count.rss + this.count.atom + this.count.json + this.failedReads.length;
  }

  record(read: TornRead): void {
    this.count[read.format]++;
    if (this.samples.length < 10) this.samples.push(read);
  }
}

/**
 * One GET of a feed and its item links, as a reader's poll: `links` is undefined when the feed is missing (404),
 * failed (recorded) or torn (recorded); the reader just polls again.
 */
export async function readFeedLinks(
  api: string,
  format: FeedFormat,
  torn: TornReads,
): Promise<{ links: string[] | undefined; at: number }> {
  const startedAt = Date.now();
  const response = await fetch(`${api}${FEED_PATHS[format]}`);
  const body = await response.text();
  const at = Date.now();
  const durationMs = at - startedAt;
  if (response.status === 404) return { links: undefined, at }; // nothing published yet
  if (response.status !== 200) {
    torn.failedReads.push({ format, status: response.status, at, durationMs });
    return { links: undefined, at };
  }
  try {
    return { links: feedItemLinks(format, body), at };
  } catch (error) {
    if (!(error instanceof MalformedFeedError)) throw error;
    torn.record({
      format,
      at,
      durationMs,
      bytes: Buffer.byteLength(body),
      contentLength: response.headers.get('content-length'),
      lastModified: response.headers.get('last-modified'),
      error: error.message,
    });
    return { links: undefined, at };
  }
}

/** Pause between two polls of one page or feed while waiting for one submit (idle: nothing else is going on). */
const POLL_GAP_MS = 25;
/**
 * Pause between two rounds of the watcher: a round is one GET + parse of rss.xml, so a new item is seen within
 * ~50 ms + a round. Under load every GET is served by the stack under test, so the watcher polls no faster.
 */
const ROUND_GAP_MS = 50;
/** Every how many rounds Atom and JSON Feed are read as well. */
const OTHER_FORMATS_EVERY = 8;
/** A dangling page is checked again after 50 ms, then each wait doubles up to 800 ms. */
const RECHECK_FIRST_MS = 50;
const RECHECK_MAX_MS = 800;
/** How long a dangling link's page is checked again before the watcher gives up on it. */
const DANGLING_PATIENCE_MS = 30_000;
/** Dangling pages checked again at the same time. */
const RECHECKS_IN_FLIGHT = 4;

export class FeedWatcher {
  /** URL → epoch ms of the first rss.xml response that listed it. */
  readonly listedInRssAt = new Map<string, number>();
  /** URL → epoch ms its page first answered 200, checked the moment any feed listed it. */
  readonly pageOkAt = new Map<string, number>();
  private readonly counts: FeedWatchCounts = { polls: { rss: 0, atom: 0, json: 0 }, linksChecked: 0, dangling: [] };
  readonly torn = new TornReads();
  private readonly seen = new Set<string>();
  /** Dangling links whose page has not answered 200 yet, with when and after what wait to check again. */
  private readonly pending = new Map<string, { link: DanglingLink; dueAt: number; waitMs: number }>();
  private readonly checks: Promise<void>[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly api: string) {}

  start(): void {
    this.running = true;
    // Two loops: a slow page (or hundreds of dangling ones) must not delay the next read of the feed.
    this.loop = Promise.all([this.pollFeeds(), this.recheckLoop()])
      .then(() => undefined)
      .catch((error: unknown) => {
        this.failure = error;
      });
  }

  /** Stops polling, waits for link checks in flight, and rethrows what broke the watch (a refused connection…). */
  async stop(): Promise<FeedWatchCounts> {
    this.running = false;
    await this.loop;
    await Promise.all(this.checks);
    if (this.failure !== undefined) throw this.failure;
    return this.counts;
  }

  private async pollFeeds(): Promise<void> {
    for (let round = 0; this.running; round++) {
      const formats: FeedFormat[] = round % OTHER_FORMATS_EVERY === 0 ? ['rss', 'atom', 'json'] : ['rss'];
      await Promise.all(formats.map((format) => this.poll(format)));
      await sleep(ROUND_GAP_MS);
    }
  }

  private async recheckLoop(): Promise<void> {
    while (this.running) {
      await this.recheckDangling();
      await sleep(RECHECK_FIRST_MS);
    }
  }

  private async poll(format: FeedFormat): Promise<void> {
    const { links, at: readAt } = await readFeedLinks(this.api, format, this.torn);
    this.counts.polls[format]++;
    for (const url of links ?? []) {
      if (format === 'rss' && !this.listedInRssAt.has(url)) this.listedInRssAt.set(url, readAt);
      if (this.seen.has(url)) continue;
      this.seen.add(url);
      this.checks.push(this.follow(url, format, readAt));
    }
  }

  /** The reader follows the link at once; a non-200 is recorded and its page checked again, with backoff. */
  private async follow(url: string, format: FeedFormat, listedAt: number): Promise<void> {
    this.counts.linksChecked++;
    const first = await pageStatus(url);
    if (first.status === 200) {
      this.pageOkAt.set(url, first.at);
      return;
    }
    const dangling: DanglingLink = {
      url,
      format,
      status: first.status,
      listedAt,
      checkedAt: first.at,
      pageOkAt: undefined,
    };
    this.counts.dangling.push(dangling);
    this.pending.set(url, { link: dangling, dueAt: first.at + RECHECK_FIRST_MS, waitMs: RECHECK_FIRST_MS });
  }

  /** Checks the dangling pages that are due, backing off per page, so hundreds of them do not become the load. */
  private async recheckDangling(): Promise<void> {
    const now = Date.now();
    const due = [...this.pending.values()].filter((entry) => entry.dueAt <= now);
    await mapConcurrently(due, RECHECKS_IN_FLIGHT, async (entry) => {
      const { link } = entry;
      if (Date.now() > link.checkedAt + DANGLING_PATIENCE_MS) {
        this.pending.delete(link.url);
        return;
      }
      const { status, at } = await pageStatus(link.url);
      if (status !== 200) {
        entry.waitMs = Math.min(RECHECK_MAX_MS, entry.waitMs * 2);
        entry.dueAt = at + entry.waitMs;
        return;
      }
      link.pageOkAt = at;
      this.pageOkAt.set(link.url, at);
      this.pending.delete(link.url);
    });
  }
}

/** GET a page as a browser would (body read to the end); `at` is when the answer was complete. */
export async function pageStatus(url: string): Promise<{ status: number; at: number }> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return { status: response.status, at: Date.now() };
}

/** Polls a page every POLL_GAP_MS until it answers 200; the epoch ms of that answer, or undefined at the deadline. */
export async function pollPage(url: string, deadline: number): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const { status, at } = await pageStatus(url);
    if (status === 200) return at;
    await sleep(POLL_GAP_MS);
  }
  return undefined;
}

/** Polls rss.xml every POLL_GAP_MS until it lists `url`; the epoch ms of that read, or undefined at the deadline. */
export async function pollRssFor(
  api: string,
  url: string,
  deadline: number,
  torn: TornReads,
): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const { links, at } = await readFeedLinks(api, 'rss', torn);
    if (links?.includes(url)) return at;
    await sleep(POLL_GAP_MS);
  }
  return undefined;
}
