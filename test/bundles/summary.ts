import type { DispatchFunctionName } from '../../lambdas/app-model';
import type { FunctionRecord } from './checks';
import type { TriggerKind } from './template-triggers';

/** One line of the verdict: a function, its triggers, its bundle, its cold start and what held or failed. */
export interface FunctionVerdict {
  readonly name: DispatchFunctionName;
  /** Trigger kinds the templates give it, with the number of routes for `routes`. */
  readonly triggers: string;
  readonly bundleKB: number;
  readonly initMs: number | undefined;
  readonly invocations: number;
  readonly passed: readonly string[];
  readonly failures: readonly string[];
}

/**
 * The function's verdict: its own checks, plus what the whole run demands of every function: each trigger kind
 * the templates give it was exercised, it was invoked at all, and (tracing is Active) its handler reported to X-Ray.
 */
export function verdictFailures(
  name: DispatchFunctionName,
  kinds: readonly TriggerKind[],
  record: FunctionRecord | undefined,
  run: { invocations: number; initError: string | undefined; environmentError: string | undefined },
  traceSegments: readonly string[],
): string[] {
  // Why it could not start comes first: the failed checks after it are its consequences.
  const failures = [
    ...(run.environmentError === undefined ? [] : [`environment: ${run.environmentError}`]),
    ...(run.initError === undefined || run.environmentError !== undefined ? [] : [`cold start: ${run.initError}`]),
    ...(record?.failures ?? []),
  ];
  if (kinds.length === 0) failures.push('the templates give it no trigger: nothing would ever invoke it');
  const missed = kinds.filter((kind) => !record?.exercised.has(kind));
  if (missed.length > 0) failures.push(`no check exercises its ${missed.join(', ')} trigger`);
  const unknown = [...(record?.exercised ?? [])].filter((kind) => !kinds.includes(kind));
  if (unknown.length > 0) failures.push(`checked through ${unknown.join(', ')}, which the templates do not give it`);
  if (run.invocations === 0) failures.push('never invoked');
  else if (run.initError === undefined && !traceSegments.some((segment) => segment.includes(`"Service":"${name}"`))) {
    failures.push('sent no handler subsegment to the X-Ray daemon (Tracing is Active in the template)');
  }
  return failures;
}

const pad = (text: string, width: number): string => text.padEnd(width);
const padStart = (text: string, width: number): string => text.padStart(width);

export function formatVerdicts(verdicts: readonly FunctionVerdict[]): string[] {
  const nameWidth = Math.max(8, ...verdicts.map((verdict) => verdict.name.length)) + 2;
  const triggerWidth = Math.max(7, ...verdicts.map((verdict) => verdict.triggers.length)) + 2;
  const header = `${pad('function', nameWidth)}${pad('trigger', triggerWidth)}${padStart('bundle KB', 10)}${padStart('init ms', 9)}  result`;
  return [
    header,
    ...verdicts.map((verdict) => {
      const init = verdict.initMs === undefined ? '—' : String(Math.round(verdict.initMs));
      const result =
        verdict.failures.length === 0
          ? `✓ ${verdict.passed.join('; ')}`
          : `✗ ${verdict.failures[0]}${verdict.failures.length > 1 ? ` (+${verdict.failures.length - 1} more: ${verdict.failures.slice(1).join('; ')})` : ''}`;
      return `${pad(verdict.name, nameWidth)}${pad(verdict.triggers, triggerWidth)}${padStart(verdict.bundleKB.toFixed(1), 10)}${padStart(init, 9)}  ${result}`;
    }),
  ];
}
