import { observed } from '../adapters/observability';
import { logger } from '../adapters/logger';
import { createEditor, listEditors, revokeEditor } from '../core/editors/editor-accounts';
import { newEditorSchema } from '../core/editors/editor-input';
import { apiHandler, caller, json, jsonObjectBody, type ApiEvent, type ApiResult, type Caller } from '../http/api';
import { NotFoundError } from '../core/shared/errors';
import { parseWith } from '../core/shared/validation';
import { editorsStoreFromEnv } from '../wiring/editors';

const editors = editorsStoreFromEnv();

type Route = (event: ApiEvent, admin: Caller, now: Date) => Promise<ApiResult>;

const routes: Record<string, Route> = {
  'GET /api/editors': async () => json(200, { items: await listEditors(editors) }),
  'POST /api/editors': async (event, admin, now) => {
    const input = parseWith(newEditorSchema, jsonObjectBody(event));
    const { record, token } = await createEditor(editors, input, now);
    logger.info('Editor created', { editorId: record.editorId, role: input.role, by: admin.editorId });
    return json(201, { id: record.editorId, name: input.name, role: input.role, token, createdAt: record.createdAt });
  },
  'DELETE /api/editors/{id}': async (event, admin, now) => {
    const id = event.pathParameters?.id ?? '';
    if (!(await revokeEditor(editors, id, now))) throw new NotFoundError(`No editor has id ${id}`);
    logger.info('Editor revoked', { editorId: id, by: admin.editorId });
    return json(200, { id, revoked: true });
  },
};

const handle = apiHandler(async (event) => {
  const admin = caller(event);
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
  return route(event, admin, new Date());
});

export const handler = observed(handle);
