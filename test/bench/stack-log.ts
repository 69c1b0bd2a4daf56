/**
 * The functions' structured logs, read from the bench stack's stdout (POWERTOOLS_LOG_LEVEL=INFO): when each report
 * was written to the table and when each stream batch finished publishing the site. They are the evidence for
 * where the time between a submit's 201 and a fresh feed goes; nothing here is timed by the bench itself.
 */
export interface SitePublished {
  /** Epoch ms of the feed publisher's "Site published" line: the batch's last S3 write is done. */
  at: number;
  /** Stream records in the batch. */
  records: number;
  written: number;
}

export class StackLog {
  /** Report id → epoch ms of the reports API's "Report created" line (after the table write, before the 201). */
  readonly createdAt = new Map<string, number>();
  readonly published: SitePublished[] = [];
  /**
   * ERROR lines of the functions (a failed publish is retried, and would show here before it shows as lateness)
   * and the gateway's own errors (a 500 to a reader), each with its time.
   */
  readonly errors: string[] = [];

  readonly onLine = (line: string): void => {
    // The stack's own log is plain text (`<ISO time> <message>`): of it, only the gateway's 500s are read.
    const gatewayError = /^(\S+) (gateway error: .*)$/.exec(line);
    if (gatewayError) this.errors.push(`${gatewayError[1]} ${gatewayError[2]}`);
    if (!line.startsWith('{')) return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return; // a function's log line is one JSON object; anything else is not one of the lines read here
    }
    if (typeof entry !== 'object' || entry === null) return;
    const { level, message, timestamp, reportId, records, written } = entry as Record<string, unknown>;
    if (typeof timestamp !== 'string') return;
    if (level === 'ERROR') this.errors.push(`${timestamp} ${String(message)}`);
    const at = Date.parse(timestamp);
    if (message === 'Report created' && typeof reportId === 'string') this.createdAt.set(reportId, at);
    if (message === 'Site published' && typeof records === 'number' && typeof written === 'number') {
      this.published.push({ at, records, written });
    }
  };

  /** The first batch that finished publishing at or after `at` (the one that carried a record written then). */
  publishedAfter(at: number): SitePublished | undefined {
    return this.published.find((batch) => batch.at >= at);
  }

  publishedBetween(from: number, to: number): SitePublished[] {
    return this.published.filter((batch) => batch.at >= from && batch.at <= to);
  }
}
