import { observed } from '../adapters/observability';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { logger } from '../adapters/logger';
import { emitMetric } from '../adapters/metrics';
import { InvalidCursorError } from '../adapters/reports-store';
import { editorView, listReports } from '../core/reports/editor-view';
import { correctReport, unpublishReport } from '../core/reports/report-changes';
import { apiHandler, caller, json, type ApiEvent, type ApiResult, type Caller } from '../http/api';
import { NotFoundError } from '../core/shared/errors';
import { BadRequestError } from '../http/errors';
import { keyedRequest } from '../http/idempotency-key';
import { ifMatchRevision, pageSize, reportBody, slugFilter } from '../http/report-requests';
import { reportsApiFromEnv } from '../wiring/reports-api';

const { publication, reports, leakStatus, editions, idempotency, reservedIds, preview } = reportsApiFromEnv();

type Route = (event: ApiEvent, editor: Caller, now: Date) => Promise<ApiResult>;
const id = (event: ApiEvent): string => event.pathParameters?.id ?? '';

const routes: Record<string, Route> = {
  'POST /api/reports': (event, editor, now) => {
    const keyed = keyedRequest(event, editor.editorId);
    return idempotency.run(keyed, async () => {
      const reservedId = keyed ? await reservedIds.reserve(keyed, ulid(now.getTime()), now) : undefined;
      const created = await reports.create(reportBody(event, publication.maxBodyBytes), now, reservedId, editor);
      logger.info('Report created', { reportId: created.id, revision: created.revision, editorId: editor.editorId });
      emitMetric('Submits');
      return json(201, created, { location: `/api/reports/${created.id}` });
    });
  },
  'POST /api/reports/preview': async (event, _editor, now) =>
    json(200, await preview(reportBody(event, publication.maxBodyBytes), now)),
  'PUT /api/reports/{id}': (event, editor, now) =>
    idempotency.run(keyedRequest(event, editor.editorId), async () => {
      const input = reportBody(event, publication.maxBodyBytes);
      const change = { id: id(event), input, ifMatch: ifMatchRevision(event), now, author: editor };
      const updated = await correctReport(reports, editions, change);
      const { revision, pausedEditions } = updated;
      logger.info('Report updated', { reportId: id(event), revision, editorId: editor.editorId, pausedEditions });
      return json(200, updated);
    }),
  'DELETE /api/reports/{id}': async (event, editor, now) => {
    const result = await unpublishReport(reports, editions, { id: id(event), now, author: editor });
    const { pausedEditions } = result;
    logger.info('Report unpublished', { reportId: id(event), editorId: editor.editorId, pausedEditions });
    return json(200, result);
  },
  'GET /api/reports/{id}': async (event, _editor, now) =>
    json(200, await editorView(reports, leakStatus, id(event), now)),
  'GET /api/reports': async (event, _editor, now) => {
    const request = { limit: pageSize(event), cursor: event.queryStringParameters?.cursor, slug: slugFilter(event) };
    const page = await listReports(reports, leakStatus, request, now).catch(badCursor);
    return json(200, { items: page.items, nextCursor: page.nextCursor ?? null });
  },
};

function badCursor(error: unknown): never {
  if (error instanceof InvalidCursorError) {
    throw new BadRequestError('invalid_cursor', error.message, [{ field: 'cursor', message: error.message }]);
  }
  throw error;
}

const api = apiHandler(async (event) => {
  const editor = caller(event);
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
  return route(event, editor, new Date());
});

const handle = (event: ApiEvent, context: Context) => {
  // The in-progress lock on an Idempotency-Key lasts as long as this invocation can run.
  idempotency.registerLambdaContext(context);
  return api(event);
};

export const handler = observed(handle);
