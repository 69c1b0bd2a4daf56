import { observed } from '../adapters/observability';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { logger } from '../adapters/logger';
import { bearerToken, decideAccess, hashToken, looksLikeEditorToken } from '../core/editors/editor-tokens';
import { requiredAccess } from '../routes';
import { editorsStoreFromEnv } from '../wiring/editors';

const editors = editorsStoreFromEnv();

export interface AuthorizerContext {
  editorId: string;
  role: string;
  /** The editor's display name, for report histories; never logged. */
  name: string;
}

/**
 * HTTP API Lambda authorizer (simple responses). API Gateway answers 401 when this throws exactly
 * 'Unauthorized' and 403 when isAuthorized is false; the local gateway follows the same contract.
 */
const handle = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
  const token = bearerToken(event.headers?.authorization);
  const stored = token && looksLikeEditorToken(token) ? await editors.findByTokenHash(hashToken(token)) : undefined;
  const decision = decideAccess(token, stored, requiredAccess(event.routeKey));
  if (decision.outcome !== 'allow') {
    logger.info('Authorization refused', { route: event.routeKey, outcome: decision.outcome });
    if (decision.outcome === 'unauthenticated') throw new Error('Unauthorized');
    return { isAuthorized: false, context: { editorId: '', role: '', name: '' } };
  }
  const { editorId, role, name } = decision.editor;
  logger.info('Authorization granted', { route: event.routeKey, editorId });
  return { isAuthorized: true, context: { editorId, role, name } };
};

export const handler = observed(handle);
