import type { CreateOutcome, EditionPlanner, FanOut } from './edition-planner';
import type { EditionRecord } from './edition';
import type { EditionWindow } from './edition-windows';
import type { PlanMessage } from './queue-messages';

/** The planner calls a plan request may make. */
export type PlanRequestPlanner = Pick<EditionPlanner, 'create' | 'plan' | 'retryUnknown' | 'refreshPages'>;

export type PlanRequestOutcome =
  | { kind: 'window-empty'; window: EditionWindow }
  | { kind: 'unknown-requeued'; editionId: string; edition: EditionRecord | undefined }
  | { kind: 'pages-refreshed'; editionId: string; refreshed: boolean }
  | {
      kind: 'planned';
      editionId: string;
      /** Set for a scheduled request: whether it made the window's edition or found the one another made. */
      created?: Exclude<CreateOutcome['kind'], 'empty'>;
      edition: EditionRecord | undefined;
    };

/**
 * One message of the plan queue. `{trigger: 'schedule', scheduledTime}` from the digest schedule creates the
 * edition for the window ending at the scheduled time (one per window, however often it fires) and plans it;
 * `{editionId}` from the API plans an existing one; `{editionId, retryUnknown}` queues the deliveries whose
 * outcome is unknown again, because an editor asked; `{editionId, refreshPages}` writes the edition's web pages
 * again from its reports as they are now, because one of them was corrected or unpublished.
 */
export async function handlePlanRequest(
  message: PlanMessage,
  planner: PlanRequestPlanner,
  fanOut: FanOut,
  now: () => Date,
): Promise<PlanRequestOutcome> {
  if ('trigger' in message) {
    const created = await planner.create(new Date(message.scheduledTime), 'schedule', now());
    if (created.kind === 'empty') return { kind: 'window-empty', window: created.window };
    const editionId = created.edition.id;
    return { kind: 'planned', editionId, created: created.kind, edition: await planner.plan(editionId, fanOut, now) };
  }
  if ('refreshPages' in message) {
    const refreshed = await planner.refreshPages(message.editionId, fanOut);
    return { kind: 'pages-refreshed', editionId: message.editionId, refreshed };
  }
  if (message.retryUnknown) {
    const edition = await planner.retryUnknown(message.editionId, fanOut, now);
    return { kind: 'unknown-requeued', editionId: message.editionId, edition };
  }
  return { kind: 'planned', editionId: message.editionId, edition: await planner.plan(message.editionId, fanOut, now) };
}
