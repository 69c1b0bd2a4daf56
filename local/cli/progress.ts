/** Where progress goes: stderr, so stdout stays clean for pipes. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 80;
const PLAIN_HEARTBEAT_MS = 10_000;

/**
 * A one-line progress bar. On a terminal it redraws in place (throttled, so thousands of updates cost nothing);
 * elsewhere (CI logs, pipes) it prints a plain line at every tenth of the way, or when something changed after a
 * quiet spell, so logs show progress without a line per item.
 *
 * Kept over `cli-progress` (installed and read): off a terminal it prints nothing by default, or with
 * `noTTYOutput` the whole bar again every `notTTYSchedule` (2 s), changed or not, so a ten-minute send fills a CI
 * log with 300 identical lines instead of our eleven. It also draws from its own `setTimeout` loop and reads
 * `Date.now()`, so output follows updates asynchronously, a bar not stopped on an error path keeps the CLI
 * process alive, and tests need fake timers instead of the injected clock below.
 */
export class ProgressBar {
  private done = 0;
  private detail = '';
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastPlain = '';
  private lastDecile = -1;
  private drawnOnTty = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly label: string,
    private total: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  update(done: number, options: { total?: number; detail?: string } = {}): void {
    this.done = done;
    if (options.total !== undefined) this.total = options.total;
    if (options.detail !== undefined) this.detail = options.detail;
    this.render(false);
  }

  finish(): void {
    this.render(true);
    if (this.stream.isTTY && this.drawnOnTty) this.stream.write('\n');
  }

  /** The text of the line without terminal control codes; exposed for tests. */
  line(): string {
    const total = this.total && this.total > 0 ? this.total : undefined;
    const parts = [this.label];
    if (total !== undefined) {
      const ratio = Math.min(1, this.done / total);
      const filled = Math.round(ratio * BAR_WIDTH);
      parts.push(
        `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`,
        `${this.done}/${total}`,
        `${Math.floor(ratio * 100)}%`,
      );
    } else {
      parts.push(String(this.done));
    }
    if (this.detail) parts.push(this.detail);
    return parts.join(' ');
  }

  private render(final: boolean): void {
    const now = this.now();
    const text = this.line();
    if (this.stream.isTTY) {
      if (!final && now - this.lastDraw < TTY_REDRAW_MS) return;
      const width = this.stream.columns ?? 80;
      this.stream.write(`\r\x1b[2K${text.slice(0, Math.max(10, width - 1))}`);
      this.lastDraw = now;
      this.drawnOnTty = true;
      return;
    }
    const decile = this.total && this.total > 0 ? Math.floor((Math.min(1, this.done / this.total) * 100) / 10) : -1;
    const changed = text !== this.lastPlain;
    const due = decile !== this.lastDecile || (changed && now - this.lastDraw >= PLAIN_HEARTBEAT_MS);
    if (changed && (due || final)) {
      this.stream.write(`${text}\n`);
      this.lastPlain = text;
      this.lastDecile = decile;
      this.lastDraw = now;
    }
  }
}
