import type { PlanQueuePort } from './edition-control';
import type { CreateOutcome, EditionPlanner } from './edition-planner';

/**
 * `POST /api/digests`: the edition for everything published since the last one, closing now, handed to the
 * planner queue. A second request in the same window gets the same edition back (`duplicate`).
 */
export async function sendEditionNow(
  planner: Pick<EditionPlanner, 'create'>,
  plans: PlanQueuePort,
  now: Date,
): Promise<CreateOutcome> {
  const outcome = await planner.create(now, 'manual', now);
  if (outcome.kind === 'empty') return outcome;
  // Sent for duplicates too: planning is idempotent, and it finishes an edition whose trigger died early.
  await plans.send({ editionId: outcome.edition.id });
  return outcome;
}
