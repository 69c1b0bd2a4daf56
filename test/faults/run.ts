import { formatTally, runCampaign } from './campaign';

/**
 * `npm run faults [-- --readers N --kills N --throttle R --seed S --final-timeout SECONDS --keep]`: the fault
 * campaign at full size (defaults: 10,000 readers, 5 kills, 30 % throttling, seed from $FAULTS_SEED or the
 * clock). Progress goes to stderr; the tally is printed as a table and as JSON. Exits 1 if an invariant fails.
 */
function option(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value === undefined) throw new Error(`--${name} needs a value`);
  return value;
}

function number(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const readers = number(option(argv, 'readers') ?? process.env.FAULTS_READERS, 10_000, 'readers');
  const kills = number(option(argv, 'kills') ?? process.env.FAULTS_KILLS, 5, 'kills');
  const throttleRate = number(option(argv, 'throttle') ?? process.env.FAULTS_THROTTLE, 0.3, 'throttle');
  const seed = Math.floor(number(option(argv, 'seed') ?? process.env.FAULTS_SEED, Date.now() % 2 ** 31, 'seed'));
  const finalTimeoutMs = number(option(argv, 'final-timeout'), 300, 'final-timeout') * 1000;
  if (!Number.isInteger(readers) || readers < 1) throw new Error('readers must be a whole number of at least 1');
  if (throttleRate >= 1) throw new Error('throttle must be below 1');

  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  log(
    `fault campaign: ${readers} readers, ${kills} kills, ${Math.round(throttleRate * 100)} % throttling, seed ${seed}`,
  );
  const tally = await runCampaign({
    readers,
    kills: Math.floor(kills),
    throttleRate,
    seed,
    log,
    finalTimeoutMs,
    keepDataDir: argv.includes('--keep'),
  });
  process.stdout.write(`${formatTally(tally)}\n\n${JSON.stringify(tally, null, 2)}\n`);
  process.exitCode = tally.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `fault campaign failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 2;
});
