import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { READER_TIERS, type ReaderTier } from '../../lambdas/core/shared/reader-tier';
import { isSeriesId } from '../../lambdas/core/subscribers/series-preferences';
import { ApiClient, EDITOR_ROLES, type EditorRole, type FetchFn } from './api-client';
import { createEditor, listEditors, revokeEditor } from './commands/editors';
import { controlDigest, digestStatus, previewDigest, sendDigest } from './commands/digest';
import { DEFAULT_LIST_LIMIT, listReports, unpublish } from './commands/reports';
import { submit, type SubmitOptions } from './commands/submit';
import {
  addSubscriber,
  DEFAULT_SUBSCRIBER_LIMIT,
  feedUrl,
  importSubscribers,
  listSubscribers,
  setSeries,
} from './commands/subscribers';
import { DEFAULT_API_URL, DEFAULT_DATA_DIR, resolveConfig, type Env } from './config';
import type { CommandContext } from './context';
import { EXIT_OK, EXIT_USAGE, UsageError, describeError } from './errors';
import type { OutputStream } from './progress';

export interface CliDeps {
  env: Env;
  cwd: string;
  stdout: OutputStream;
  stderr: OutputStream;
  fetch: FetchFn;
  sleep: (ms: number) => Promise<void>;
}

const ENVIRONMENT_HELP = `
All commands (\`dispatch <command> --help\` for details):
  submit FILE.md [--new] [--dry-run] [--idempotency-key K]
  reports list [--limit N] [--all]        unpublish ID
  editors create --name N [--role admin|editor]        editors revoke ID        editors list
  subscribers add EMAIL --tier free|paid  subscribers import FILE.csv  subscribers feed-url EMAIL
  subscribers list [PREFIX] [--limit N] [--all]
  subscribers series EMAIL --series ID,ID | --all-series
  digest preview --tier free|paid --out FILE.html      digest send [--no-wait]
  digest status ID        digest pause|resume|cancel|retry-unknown ID

Environment:
  DISPATCH_API_URL   API base URL (default ${DEFAULT_API_URL})
  DISPATCH_TOKEN     Bearer token of an editor or admin. When unset, the admin token that \`npm start\` writes to
                     $DISPATCH_DATA_DIR/admin-token (default ${DEFAULT_DATA_DIR}/admin-token) is used if it exists.
  DISPATCH_DEBUG=1   print stack traces with errors

Exit codes: 0 done; 1 a request failed, or rows were rejected; 2 bad usage or input file (nothing was sent).
`;

/** `--series a,b` as ids (`''`: none), `--all-series` as null; exactly one of them. */
function seriesOption(options: { series?: string; allSeries?: boolean }): string[] | null {
  if ((options.series === undefined) === (options.allSeries !== true)) {
    throw new UsageError('give exactly one of --series ID,ID (or --series "" for none) and --all-series');
  }
  if (options.series === undefined) return null;
  const ids = options.series === '' ? [] : options.series.split(',').map((id) => id.trim());
  const malformed = ids.find((id) => !isSeriesId(id));
  if (malformed !== undefined) throw new UsageError(`--series: "${malformed}" is not a series id such as grid-watch`);
  return ids;
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return number;
}

function buildProgram(ctx: CommandContext): Command {
  const program = new Command('dispatch')
    .description(
      'Command-line client of the Dispatch API: submit reports, manage editors and subscribers, send digests.',
    )
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      // Commander's own messages (missing argument, unknown option) follow the one-line rule too.
      outputError: (text, write) =>
        write(
          `dispatch: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()}\n`,
        ),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', ENVIRONMENT_HELP);

  program
    .command('submit')
    .description(
      'submit a Markdown report with YAML front matter: updates the report with its `id`, its `slug` or the slug its ' +
        'title gives (If-Match of the revision read, or of the front matter `revision`), else creates one',
    )
    .argument('<file>', 'report file: --- front matter --- then the Markdown body')
    .option('--new', 'create a new report even if one has this slug (the server then picks `slug-2`)')
    .option('--dry-run', 'send nothing: validate the front matter and show the public / subscriber-only split')
    .option('--idempotency-key <key>', 'key for safe retries (default: derived from the file and the report)')
    .action((file: string, options: SubmitOptions) => submit(ctx, file, options));

  const reports = program.command('reports').description('list reports');
  reports
    .command('list')
    .description('list reports, newest first: id, slug, tier, state, revision, publishAt, title')
    .addOption(new Option('--limit <n>', 'how many to show').argParser(positiveInt).default(DEFAULT_LIST_LIMIT))
    .option('--all', 'fetch every page')
    .action((options: { limit: number; all?: boolean }) => listReports(ctx, options));

  program
    .command('unpublish')
    .description('unpublish a report: it disappears from every public feed, page and digest')
    .argument('<id>', 'report id')
    .action((id: string) => unpublish(ctx, id));

  const editors = program.command('editors').description('list, create and revoke editor tokens (admin)');
  editors
    .command('create')
    .description('create an editor and print its token (shown once)')
    .requiredOption('--name <name>', "the editor's name")
    .addOption(new Option('--role <role>', 'role').choices(EDITOR_ROLES).default('editor'))
    .action((options: { name: string; role: EditorRole }) => createEditor(ctx, options.name, options.role));
  editors
    .command('revoke')
    .description("revoke an editor's token")
    .argument('<id>', 'editor id')
    .action((id: string) => revokeEditor(ctx, id));
  editors
    .command('list')
    .description('list every editor, oldest first (revoked ones too); never a token')
    .action(() => listEditors(ctx));

  const subscribers = program.command('subscribers').description('manage subscribers (admin)');
  subscribers
    .command('add')
    .description('add or update a subscriber as active, skipping opt-in (admin import path)')
    .argument('<email>')
    .addOption(new Option('--tier <tier>', 'tier').choices(READER_TIERS).makeOptionMandatory())
    .action((email: string, options: { tier: ReaderTier }) => addSubscriber(ctx, email, options.tier));
  subscribers
    .command('import')
    .description(
      'import a CSV with a header row: email, and optionally tier (free|paid) and status (active|unsubscribed)',
    )
    .argument('<file>', 'CSV file (RFC 4180)')
    .action((file: string) => importSubscribers(ctx, file));
  subscribers
    .command('feed-url')
    .description("print a paid subscriber's private feed URL")
    .argument('<email>')
    .action((email: string) => feedUrl(ctx, email));
  subscribers
    .command('list')
    .description('list subscribers in address order: email, tier, status, createdAt')
    .argument('[prefix]', 'only addresses that start with this (case-insensitive)')
    .addOption(new Option('--limit <n>', 'how many to show').argParser(positiveInt).default(DEFAULT_SUBSCRIBER_LIMIT))
    .option('--all', 'fetch every page')
    .action((prefix: string | undefined, options: { limit: number; all?: boolean }) =>
      listSubscribers(ctx, { ...options, ...(prefix ? { prefix } : {}) }),
    );

  subscribers
    .command('series')
    .description("set the series a subscriber receives: a list of ids, none (--series ''), or every series")
    .argument('<email>')
    .option('--series <ids>', "series ids separated by commas; '' for none (subscribed, but no digest)")
    .option('--all-series', 'every series, including series configured later (the default of every reader)')
    .action((email: string, options: { series?: string; allSeries?: boolean }) =>
      setSeries(ctx, email, seriesOption(options)),
    );

  const digest = program.command('digest').description('preview and send digest editions (admin)');
  digest
    .command('preview')
    .description('render the next edition for one tier into an HTML file and print its subject')
    .addOption(new Option('--tier <tier>', 'tier').choices(READER_TIERS).makeOptionMandatory())
    .requiredOption('--out <file>', 'HTML file to write')
    .action((options: { tier: ReaderTier; out: string }) => previewDigest(ctx, options.tier, options.out));
  digest
    .command('send')
    .description('send an edition now and follow its progress')
    .option('--no-wait', 'print the edition id and return without following progress')
    .action((options: { wait: boolean }) => sendDigest(ctx, options));
  digest
    .command('status')
    .description('follow an edition with a progress bar until it ends or pauses')
    .argument('<id>')
    .action((id: string) => digestStatus(ctx, id));
  for (const [action, description] of [
    ['pause', 'pause an edition: no new mail starts once this answers'],
    ['resume', 'resume a paused edition: its mail is compiled again from the reports as they are now'],
    ['cancel', 'cancel an edition: readers not yet mailed are not mailed'],
    ['retry-unknown', 'send again to the readers whose outcome is unknown after a crash'],
  ] as const) {
    digest
      .command(action)
      .description(description)
      .argument('<id>')
      .action((id: string) => controlDigest(ctx, id, action));
  }

  return program;
}

/** Runs one invocation and returns the exit code; never throws, never exits the process (tests call it in-process). */
export async function run(argv: readonly string[], deps: CliDeps): Promise<number> {
  const config = resolveConfig(deps.env, deps.cwd);
  let client: ApiClient | undefined;
  const ctx: CommandContext = {
    io: { stdout: deps.stdout, stderr: deps.stderr },
    config,
    client: () => (client ??= new ApiClient(config.apiUrl, config.token, deps.fetch)),
    cwd: deps.cwd,
    sleep: deps.sleep,
  };
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    // Commander has already printed help or its one-line message.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const report = describeError(error);
    if (report.line) deps.stderr.write(`dispatch: ${report.line}\n`);
    if (config.debug && error instanceof Error && error.stack) deps.stderr.write(`${error.stack}\n`);
    return report.exitCode;
  }
}

export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    fetch: (input, init) => fetch(input, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
}
