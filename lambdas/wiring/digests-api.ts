import { planQueue } from '../adapters/data-model';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { requireEnv } from '../config';
import { EditionControl } from '../core/digest/edition-control';
import { editionPlannerFromEnv } from './edition-planner';

/** The digests API's collaborators, built once per execution environment from its configuration. */
export function digestsApiFromEnv() {
  const { planner, digests } = editionPlannerFromEnv();
  const plans = new JsonQueue(sqsClient(), requireEnv(planQueue.env));
  return { planner, digests, plans, control: new EditionControl(digests, plans) };
}
