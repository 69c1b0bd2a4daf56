import type { ApiClient } from './api-client';
import type { CliConfig } from './config';
import type { CliIo } from './output';

/** Everything a command touches from outside, so tests can run commands in-process against a local server. */
export interface CommandContext {
  io: CliIo;
  config: CliConfig;
  /** Built on first use: `--dry-run` and `--help` never need it. */
  client: () => ApiClient;
  cwd: string;
  sleep: (ms: number) => Promise<void>;
}
