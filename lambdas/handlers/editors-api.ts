import { dynamoDocumentClient } from '../adapters/clients';
import { editorsTable } from '../adapters/data-model';
import { EditorsStore } from '../adapters/editors-store';
import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { tableName } from '../config';
import { newEditorSchema } from '../core/editors/editor-tokens';
import { issueEditor } from '../core/editors/editors';
import { apiHandler, caller, json, jsonObjectBody, parseWith, type ApiEvent, type ApiResult } from '../http/api';
import { NotFoundError } from '../http/errors';

const editors = new EditorsStore(dynamoDocumentClient(), tableName(editorsTable.env));

async function route(event: ApiEvent): Promise<ApiResult> {
  const admin = caller(event);
  switch (event.routeKey) {
    case 'POST /api/editors': {
      const input = parseWith(newEditorSchema, jsonObjectBody(event));
      const issued = issueEditor(input.name, input.role, new Date());
      await editors.create(issued.record);
      logger.info('Editor created', { editorId: issued.record.editorId, role: input.role, by: admin.editorId });
      return json(201, {
        id: issued.record.editorId,
        name: input.name,
        role: input.role,
        token: issued.token,
        createdAt: issued.record.createdAt,
      });
    }
    case 'DELETE /api/editors/{id}': {
      const id = event.pathParameters?.id ?? '';
      if (!(await editors.revoke(id, new Date().toISOString()))) throw new NotFoundError(`No editor has id ${id}`);
      logger.info('Editor revoked', { editorId: id, by: admin.editorId });
      return json(200, { id, revoked: true });
    }
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
}

export const handler = observed(apiHandler(route));
