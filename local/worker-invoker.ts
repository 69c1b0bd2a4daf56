import { Worker } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import type { DispatchFunctionName } from '../lambdas/app-model';

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

/** Invokes handlers inside one worker thread (see function-worker.ts); same contract as `invoker`. */
export class WorkerInvoker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor() {
    // The worker gets the environment as it is now: the stack has already set what handlers read at cold start.
    this.worker = new Worker(new URL('./function-worker.mjs', import.meta.url), { env: { ...process.env } });
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.message));
    });
    this.worker.on('error', (error) => {
      // A dead worker fails every invocation, now and later, so deliveries retry and dead-letter visibly.
      this.failure = error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  invoker<E>(fn: DispatchFunctionName): (event: E, context: Context) => Promise<unknown> {
    return (event) =>
      new Promise((resolve, reject) => {
        if (this.failure) return reject(this.failure);
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ id, fn, event });
      });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
