import type { DispatchFunctionName } from '../../lambdas/app-model';
import { BundleInitError, BundleProcess, type Invocation } from './bundle-process';
import type { SynthesizedFunction } from './cloud-assembly';

/**
 * Plays the Lambda service for the synthesized functions: each gets one execution environment, started on its
 * first invocation (a cold start, timed) and kept warm after it, and invoked one event at a time.
 */
export class LambdaService {
  private readonly started = new Map<DispatchFunctionName, Promise<BundleProcess>>();
  private readonly counts = new Map<DispatchFunctionName, number>();
  private readonly initErrors = new Map<DispatchFunctionName, string>();

  constructor(
    private readonly functions: ReadonlyMap<DispatchFunctionName, SynthesizedFunction>,
    private readonly environmentOf: (fn: SynthesizedFunction) => Readonly<Record<string, string>>,
    private readonly root: string,
  ) {}

  async invoke(name: DispatchFunctionName, event: unknown): Promise<Invocation> {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    let bundle: BundleProcess;
    try {
      bundle = await this.environment(name);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.initErrors.set(name, message);
      return { ok: false, error: { name: error instanceof BundleInitError ? 'InitError' : 'Error', message }, ms: 0 };
    }
    return bundle.invoke(event);
  }

  /** The execution environment of a function that has been invoked, once its init finished. */
  async environmentIfStarted(name: DispatchFunctionName): Promise<BundleProcess | undefined> {
    return this.started.get(name)?.catch(() => undefined);
  }

  /** Why the function's execution environment could not start, if it could not. */
  initError(name: DispatchFunctionName): string | undefined {
    return this.initErrors.get(name);
  }

  invocations(name: DispatchFunctionName): number {
    return this.counts.get(name) ?? 0;
  }

  async stopAll(): Promise<void> {
    const environments = await Promise.allSettled(this.started.values());
    await Promise.all(
      environments.map((started) => (started.status === 'fulfilled' ? started.value.stop() : Promise.resolve())),
    );
  }

  private environment(name: DispatchFunctionName): Promise<BundleProcess> {
    let started = this.started.get(name);
    if (started === undefined) {
      const fn = this.functions.get(name);
      if (fn === undefined) return Promise.reject(new Error(`${name} was not synthesized`));
      started = BundleProcess.start(fn, this.environmentOf(fn), this.root);
      this.started.set(name, started);
    }
    return started;
  }
}
