import { logger } from '../adapters/logger';
import { editionProgress } from '../core/digest/edition';
import type { ControlOutcome } from '../core/digest/edition-control';
import { ConflictError, NotFoundError } from '../core/shared/errors';
import { json, type ApiResult } from './api';

/** An editor's pause, resume, cancel or retry as HTTP: the edition's progress, 404 or 409 naming its status. */
export function editionControlAnswer(outcome: ControlOutcome, status = 200): ApiResult {
  if (outcome.kind === 'not-found') throw new NotFoundError('No edition has this id');
  if (outcome.kind === 'conflict') {
    throw new ConflictError('edition_state', `${outcome.message} (it is ${outcome.edition.status})`);
  }
  logger.info('Edition control', { editionId: outcome.edition.id, status: outcome.edition.status });
  return json(status, editionProgress(outcome.edition));
}
