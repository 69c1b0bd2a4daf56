// The verifier's stand-in for the Lambda Node.js runtime, copied next to (not into) each bundle's task root and run
// by a fresh `node` whose cwd is that task root. It imports only node: built-ins, so the only modules the process
// can load are the bundle's own. Plain JavaScript: it runs without tsx, as the real runtime runs without it.
//
// Protocol over the IPC channel: `ready` (or `init-error`) once the handler module is imported, then one `result`
// per `invoke`. One invocation at a time, as in one Lambda execution environment.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSetting = process.env._HANDLER;
const timeoutMs = Number(process.argv[2]) * 1000;

function describe(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'NonError', message: String(error) };
}

function send(message) {
  return new Promise((resolve, reject) => process.send(message, (error) => (error ? reject(error) : resolve())));
}

/** `index.handler` → the first of index.mjs, index.js, index.cjs in the task root, and its `handler` export. */
function handlerLocation(setting) {
  const dot = setting.lastIndexOf('.');
  const moduleName = setting.slice(0, dot);
  const exportName = setting.slice(dot + 1);
  const file = ['.mjs', '.js', '.cjs'].map((extension) => join(taskRoot, moduleName + extension)).find(existsSync);
  if (file === undefined) throw new Error(`No module ${moduleName} in ${taskRoot}`);
  return { file, exportName };
}

function lambdaContext(awsRequestId) {
  const deadline = Date.now() + timeoutMs;
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

let handler;
try {
  const { file, exportName } = handlerLocation(handlerSetting);
  const started = performance.now();
  const module = await import(pathToFileURL(file).href);
  const initMs = performance.now() - started;
  handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} exports no function "${exportName}"`);
  await send({ type: 'ready', initMs });
} catch (error) {
  await send({ type: 'init-error', error: describe(error) });
  process.exit(1);
}

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  // The runtime sets the trace header of each invocation in the environment, where the X-Ray SDK reads it.
  process.env._X_AMZN_TRACE_ID = message.traceId;
  const started = performance.now();
  try {
    const value = await handler(message.event, lambdaContext(message.requestId ?? randomUUID()));
    await send({ type: 'result', id: message.id, ok: true, value: value ?? null, ms: performance.now() - started });
  } catch (error) {
    await send({ type: 'result', id: message.id, ok: false, error: describe(error), ms: performance.now() - started });
  }
});
