import { Tracer } from '@aws-lambda-powertools/tracer';
import { dispatchMetrics, publishMetrics } from './metrics';

/**
 * Tracing and metrics for every function, created once per execution environment.
 *
 * The tracer turns itself on only inside Lambda (`AWS_EXECUTION_ENV` set, `POWERTOOLS_TRACE_ENABLED` not
 * `false`, not SAM local): in the local stack and in tests every call below is a no-op and no X-Ray daemon is
 * contacted. Handler responses and error messages are never copied into traces: responses carry paid text and
 * private feeds, and a provider's or store's message may quote a reader's address. A failed invocation is marked
 * with the error's name only; the logs say the rest.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dispatch' });

// Created here, at cold start, so a function missing its metrics environment fails before its first event.
dispatchMetrics();

/** The SDK client, with one X-Ray subsegment per call when tracing is on (the same client otherwise). */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}

/**
 * Wraps a Lambda handler: one `## handler` subsegment per invocation (cold start and service annotated), the
 * cold-start metric, and the invocation's metrics published at its end, whether it returned or threw. Errors are
 * re-thrown unchanged: Lambda, the queue or the stream decides what a failure means.
 */
export function observed<Args extends unknown[], Result>(
  handler: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    dispatchMetrics().captureColdStartMetric();
    try {
      return await withHandlerSubsegment(() => handler(...args));
    } finally {
      publishMetrics();
    }
  };
}

async function withHandlerSubsegment<Result>(run: () => Promise<Result>): Promise<Result> {
  if (!tracer.isTracingEnabled()) return run();
  const parent = tracer.getSegment();
  if (parent === undefined) return run();
  const subsegment = parent.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
  tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  let failure: string | undefined;
  try {
    return await run();
  } catch (error) {
    failure = error instanceof Error ? error.name : 'Error';
    throw error;
  } finally {
    subsegment.close(failure);
    tracer.setSegment(parent);
  }
}
