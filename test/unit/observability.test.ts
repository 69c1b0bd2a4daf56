import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The invocation wrapper and the metrics it publishes. Powertools reads its environment when the instances are
 * created, so each test sets the environment first and imports fresh modules.
 */
const SAVED = { ...process.env };
let printed: string[];

beforeEach(() => {
  vi.resetModules();
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...SAVED };
});

const emfLines = (): Record<string, unknown>[] =>
  printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

function onLambda(env: Record<string, string>): void {
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'DispatchStateless-ReportsApi',
    // Set by Lambda; Powertools counts a cold start only for on-demand environments.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    ...env,
  });
}

describe('on Lambda', () => {
  it('fails at cold start when the function has no metrics namespace', async () => {
    onLambda({ POWERTOOLS_SERVICE_NAME: 'reports-api' });
    delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    await expect(import('../../lambdas/adapters/observability')).rejects.toThrow(/POWERTOOLS_METRICS_NAMESPACE/);
  });

  it('publishes the metrics of an invocation as one EMF line at its end, with the cold start first', async () => {
    onLambda({ POWERTOOLS_SERVICE_NAME: 'reports-api', POWERTOOLS_METRICS_NAMESPACE: 'Dispatch' });
    const { observed } = await import('../../lambdas/adapters/observability');
    const { emitMetric } = await import('../../lambdas/adapters/metrics');
    const handler = observed(async (event: { n: number }) => {
      emitMetric('Submits');
      emitMetric('Submits');
      return event.n * 2;
    });

    expect(await handler({ n: 21 })).toBe(42);
    const [coldStart, invocation] = emfLines();
    expect(coldStart).toMatchObject({ ColdStart: 1, service: 'reports-api' });
    expect(invocation).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          { Namespace: 'Dispatch', Dimensions: [['service']], Metrics: [{ Name: 'Submits', Unit: 'Count' }] },
        ],
      },
      service: 'reports-api',
      Submits: [1, 1],
    });

    printed.length = 0;
    await handler({ n: 1 });
    expect(emfLines().map((line) => line.ColdStart)).toEqual([undefined]);
  });

  it('re-throws the handler error unchanged and still publishes what it recorded', async () => {
    onLambda({ POWERTOOLS_SERVICE_NAME: 'ses-feedback', POWERTOOLS_METRICS_NAMESPACE: 'Dispatch' });
    const { observed } = await import('../../lambdas/adapters/observability');
    const { emitMetric } = await import('../../lambdas/adapters/metrics');
    const failure = new Error('store unavailable');
    const handler = observed(async () => {
      emitMetric('Bounces', 3);
      throw failure;
    });

    await expect(handler()).rejects.toBe(failure);
    expect(emfLines().at(-1)).toMatchObject({ service: 'ses-feedback', Bounces: 3 });
  });

  it('prints nothing for an invocation that recorded nothing (besides the cold start)', async () => {
    onLambda({ POWERTOOLS_SERVICE_NAME: 'health', POWERTOOLS_METRICS_NAMESPACE: 'Dispatch' });
    const { observed } = await import('../../lambdas/adapters/observability');
    const handler = observed(async () => 'ok');
    await handler();
    printed.length = 0;
    await handler();
    expect(printed).toEqual([]);
  });
});

describe('off Lambda (local stack, tests)', () => {
  it('records and validates metrics but prints no EMF line', async () => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const { observed } = await import('../../lambdas/adapters/observability');
    const { emitMetric } = await import('../../lambdas/adapters/metrics');
    await observed(async () => emitMetric('LeakBlocked'))();
    expect(emfLines()).toEqual([]);
    expect(process.env.POWERTOOLS_METRICS_DISABLED).toBe('true');
  });

  it('leaves SDK clients as they are: the tracer is off outside Lambda', async () => {
    const { traced, tracer } = await import('../../lambdas/adapters/observability');
    const client = { send: async () => 'sent' };
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(traced(client)).toBe(client);
  });
});

describe('publishLagMs', () => {
  it('measures from the oldest write in the batch, in milliseconds', async () => {
    const { publishLagMs } = await import('../../lambdas/adapters/metrics');
    expect(publishLagMs([1_700_000_010, undefined, 1_700_000_000], 1_700_000_012_500)).toBe(12_500);
  });

  it('has no figure when no record carries its write time', async () => {
    const { publishLagMs } = await import('../../lambdas/adapters/metrics');
    expect(publishLagMs([undefined], 1_700_000_000_000)).toBeUndefined();
  });
});
