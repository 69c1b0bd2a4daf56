import type { Context } from 'aws-lambda';
import type { DispatchFunctionName } from '../lambdas/app-model';

type AnyHandler = (event: never, context: Context) => Promise<unknown>;

/**
 * The Lambda handler of every function of the app model (the type demands one per name), loaded on first use —
 * after the stack has set the environment they read at cold start, exactly as a fresh execution environment would.
 */
const modules: Readonly<Record<DispatchFunctionName, () => Promise<{ handler: AnyHandler }>>> = {
  health: () => import('../lambdas/handlers/health'),
  authorizer: () => import('../lambdas/handlers/authorizer'),
  'editors-api': () => import('../lambdas/handlers/editors-api'),
  'reports-api': () => import('../lambdas/handlers/reports-api'),
  'media-api': () => import('../lambdas/handlers/media-api'),
  'feed-publisher': () => import('../lambdas/handlers/feed-publisher'),
  'private-feed-builder': () => import('../lambdas/handlers/private-feed-builder'),
  'private-feed': () => import('../lambdas/handlers/private-feed'),
  'release-sweeper': () => import('../lambdas/handlers/release-sweeper'),
  'subscribers-api': () => import('../lambdas/handlers/subscribers-api'),
  'sign-up-worker': () => import('../lambdas/handlers/sign-up-worker'),
  members: () => import('../lambdas/handlers/members'),
  'digests-api': () => import('../lambdas/handlers/digests-api'),
  'digest-planner': () => import('../lambdas/handlers/digest-planner'),
  'mail-sender': () => import('../lambdas/handlers/mail-sender'),
  'ses-feedback': () => import('../lambdas/handlers/ses-feedback'),
  'billing-webhook': () => import('../lambdas/handlers/billing-webhook'),
  'billing-sweeper': () => import('../lambdas/handlers/billing-sweeper'),
};

const loaded = new Map<DispatchFunctionName, Promise<AnyHandler>>();

export function loadHandler(name: DispatchFunctionName): Promise<AnyHandler> {
  let handler = loaded.get(name);
  if (!handler) {
    handler = modules[name]().then((module) => module.handler);
    loaded.set(name, handler);
  }
  return handler;
}

/** An invoke function for the local event sources: (event, context) → handler result. */
export function invoker<E>(name: DispatchFunctionName): (event: E, context: Context) => Promise<unknown> {
  return async (event, context) => (await loadHandler(name))(event as never, context);
}
