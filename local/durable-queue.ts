import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * An append-only, fsync'd journal of messages, so that whatever the local stack acknowledged (a DynamoDB write
 * that must reach the stream, an SQS SendMessage) survives Ctrl-C or a kill and is delivered on the next start.
 * Lines are JSON: {op:'put',id,body,seq} | {op:'ack',id} | {op:'dead',id,reason}. Opening compacts it.
 *
 * Why it exists (issue 12 asked for the case against table state and edition reconciliation, which only count):
 * - Reports stream. The feed publisher plans from each record's old and new image (`core/site/publishing.ts`):
 *   a page is removed only by the record of the unpublish or slug change that un-lists it. Lose that record and
 *   the page stays public until the same report changes again; a new report's page is never written. The sweeper
 *   only visits due `publishAt`/`freeAfter` items, so nothing else replays it.
 * - Mail queue. Reconciliation re-counts delivery records; it never re-sends. A queued batch lost on a kill means
 *   its readers get no mail and the edition ends `sent-with-gaps` after 15 minutes. The fault campaign
 *   (test/faults/campaign.ts) SIGKILLs `npm start` mid-send and requires every reader without a mail to be an
 *   unknown outcome from a claim open at a kill, which only holds if queued batches survive.
 * - Plan queue. The planner's trigger (the digest schedule, `dispatch digest send`): lost, the edition stays
 *   `planning` (reconciliation only looks at `sending`) until someone asks to send again by hand.
 * - Sign-up queue. The API answers 202 before the worker decides and mails; lost, the reader was told to check
 *   the inbox and no confirmation ever comes.
 * On AWS, DynamoDB Streams and SQS give exactly this durability; the local stack keeps it so kill tests mean
 * the same thing here as there.
 */
export interface QueueEntry<T> {
  id: string;
  seq: number;
  body: T;
  /** Delivery attempts that failed so far. */
  attempts: number;
  /** Epoch ms before which the entry is not handed out again (SQS visibility / retry backoff). */
  notBefore: number;
  /** Epoch ms it was pushed (0 after a restart: deliver at once). */
  enqueuedAt: number;
}

type JournalLine<T> =
  | { op: 'put'; id: string; seq: number; body: T }
  | { op: 'ack'; id: string }
  | { op: 'dead'; id: string; reason: string };

export class DurableQueue<T> {
  private readonly pending = new Map<string, QueueEntry<T>>();
  private readonly inFlight = new Set<string>();
  private readonly dead: { id: string; body: T; reason: string }[] = [];
  private journal: FileHandle | undefined;
  private nextSeq = 1;
  private buffered: { data: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly file: string) {}

  async open(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const lines = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const bodies = new Map<string, { seq: number; body: T }>();
    for (const line of lines.split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalLine<T>;
      try {
        entry = JSON.parse(line) as JournalLine<T>;
      } catch {
        continue; // a torn last line from a crash mid-write: it was never acknowledged
      }
      if (entry.op === 'put') bodies.set(entry.id, { seq: entry.seq, body: entry.body });
      else if (entry.op === 'dead') {
        const found = bodies.get(entry.id);
        if (found) this.dead.push({ id: entry.id, body: found.body, reason: entry.reason });
        bodies.delete(entry.id);
      } else bodies.delete(entry.id);
    }
    const survivors = [...bodies.entries()].sort((a, b) => a[1].seq - b[1].seq);
    const compacted = [
      ...this.dead.map((d) => JSON.stringify({ op: 'put', id: d.id, seq: 0, body: d.body })),
      ...this.dead.map((d) => JSON.stringify({ op: 'dead', id: d.id, reason: d.reason })),
      ...survivors.map(([id, { body }], index) => JSON.stringify({ op: 'put', id, seq: index + 1, body })),
    ];
    for (const [index, [id, { body }]] of survivors.entries()) {
      this.pending.set(id, { id, seq: index + 1, body, attempts: 0, notBefore: 0, enqueuedAt: 0 });
    }
    this.nextSeq = survivors.length + 1;
    const temporary = `${this.file}.compact`;
    const handle = await open(temporary, 'w');
    await handle.writeFile(compacted.length > 0 ? compacted.join('\n') + '\n' : '');
    await handle.sync();
    await handle.close();
    await rename(temporary, this.file);
    this.journal = await open(this.file, 'a');
  }

  /** Resolves once the messages are on disk: only then may the caller acknowledge them to its client. */
  async push(bodies: T[]): Promise<string[]> {
    const now = Date.now();
    const entries = bodies.map((body) => ({
      id: randomUUID(),
      seq: this.nextSeq++,
      body,
      attempts: 0,
      notBefore: 0,
      enqueuedAt: now,
    }));
    await this.append(entries.map(({ id, seq, body }) => ({ op: 'put', id, seq, body })));
    for (const entry of entries) this.pending.set(entry.id, entry);
    this.wake();
    return entries.map((entry) => entry.id);
  }

  /** Up to `max` deliverable entries in order; they stay invisible until acked or released. */
  take(max: number, now = Date.now(), ordered = false): QueueEntry<T>[] {
    const taken: QueueEntry<T>[] = [];
    for (const entry of this.pending.values()) {
      if (taken.length >= max) break;
      if (this.inFlight.has(entry.id)) {
        if (ordered) break;
        continue;
      }
      if (entry.notBefore > now) {
        if (ordered) break; // a stream shard does not skip past a record it is retrying
        continue;
      }
      taken.push(entry);
    }
    for (const entry of taken) this.inFlight.add(entry.id);
    return taken;
  }

  async ack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.append(ids.map((id) => ({ op: 'ack', id })));
    for (const id of ids) {
      this.pending.delete(id);
      this.inFlight.delete(id);
    }
    this.wake();
  }

  /** Returns the entry to the queue after `delayMs`, or buries it once it has failed `maxAttempts` times. */
  async release(id: string, delayMs: number, maxAttempts: number, reason: string): Promise<'retry' | 'dead'> {
    const entry = this.pending.get(id);
    this.inFlight.delete(id);
    if (!entry) return 'dead';
    entry.attempts += 1;
    if (entry.attempts >= maxAttempts) {
      await this.append([{ op: 'dead', id, reason }]);
      this.pending.delete(id);
      this.dead.push({ id, body: entry.body, reason });
      this.wake();
      return 'dead';
    }
    entry.notBefore = Date.now() + delayMs;
    this.wake();
    return 'retry';
  }

  /** Age in ms of the oldest entry waiting to be handed out, or undefined when none waits. */
  oldestWaitingAge(now = Date.now()): number | undefined {
    for (const entry of this.pending.values()) {
      if (!this.inFlight.has(entry.id)) return now - entry.enqueuedAt;
    }
    return undefined;
  }

  get size(): number {
    return this.pending.size;
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  deadLetters(): readonly { id: string; body: T; reason: string }[] {
    return this.dead;
  }

  /** Resolves on the next push/ack/release, or after `timeoutMs`. */
  changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.journal?.close();
    this.journal = undefined;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Group commit: lines appended while a write is in flight go out together in the next write and share its
   * fsync, so concurrent producers pay for one sync, not one each. Each caller resolves once its lines are synced.
   */
  private append(lines: JournalLine<T>[]): Promise<void> {
    if (!this.journal) return Promise.reject(new Error(`Queue ${this.file} is not open`));
    return new Promise((resolve, reject) => {
      this.buffered.push({ data: lines.map((line) => JSON.stringify(line)).join('\n') + '\n', resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.buffered.length > 0) {
      const batch = this.buffered.splice(0);
      try {
        const journal = this.journal;
        if (!journal) throw new Error(`Queue ${this.file} is not open`);
        await journal.write(batch.map((entry) => entry.data).join(''));
        await journal.datasync();
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.flushing = undefined;
  }
}
