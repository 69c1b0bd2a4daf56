import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/clients';
import { editorsTable } from '../adapters/data-model';
import { EditorsStore } from '../adapters/editors-store';
import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { tableName } from '../config';
import { bearerToken, decideAccess, hashToken, looksLikeEditorToken } from '../core/editors/editor-tokens';
import { requiredAccess } from '../routes';

const editors = new EditorsStore(dynamoDocumentClient(), tableName(editorsTable.env));

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
const authorize = async (
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

export const handler = observed(authorize);
