import { parentPort } from 'node:worker_threads';
import type { DispatchFunctionName } from '../lambdas/app-model';
import { loadHandler } from './functions';
import { lambdaContext } from './lambda-context';

/**
 * Runs event-source consumers (stream, queue, schedule targets) off the gateway's event loop, the way separate
 * Lambdas run on AWS: a feed rebuild must not stall an editor's request.
 */
interface Invocation {
  id: number;
  fn: DispatchFunctionName;
  event: unknown;
}

const port = parentPort;
if (!port) throw new Error('function-worker must run in a worker thread');

port.on('message', (invocation: Invocation) => {
  loadHandler(invocation.fn)
    .then((handler) => handler(invocation.event as never, lambdaContext(invocation.fn)))
    .then(
      (result) => port.postMessage({ id: invocation.id, ok: true, result }),
      (error: unknown) =>
        port.postMessage({
          id: invocation.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        }),
    );
});
