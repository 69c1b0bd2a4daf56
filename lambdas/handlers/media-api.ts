import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import { uploadRequestSchema } from '../core/media/upload-request';
import { NotFoundError } from '../core/shared/errors';
import { parseWith } from '../core/shared/validation';
import { apiHandler, caller, json, jsonObjectBody, type ApiEvent, type ApiResult, type Caller } from '../http/api';
import { mediaLibraryFromEnv } from '../wiring/media';

const media = mediaLibraryFromEnv();

type Route = (event: ApiEvent, editor: Caller, now: Date) => Promise<ApiResult>;

const routes: Record<string, Route> = {
  /** 201 with a presigned PUT, or 200 when the same image (same hash) is already stored and verified. */
  'POST /api/media': async (event, editor, now) => {
    const request = parseWith(uploadRequestSchema, jsonObjectBody(event));
    const answer = await media.requestUpload(request, now);
    logger.info('Media upload requested', { media: answer.name, status: answer.status, by: editor.editorId });
    return json(answer.status === 'exists' ? 200 : 201, answer);
  },
  /** 200 when the upload is what its name promises; otherwise it is deleted and the answer is 422 naming why. */
  'POST /api/media/{name}/check': async (event, editor) => {
    const verified = await media.check(event.pathParameters?.name ?? '');
    logger.info('Media upload verified', { media: verified.name, size: verified.size, by: editor.editorId });
    return json(200, { status: 'verified', ...verified });
  },
};

const handle = apiHandler(async (event) => {
  const editor = caller(event);
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
  return route(event, editor, new Date());
});

export const handler = observed(handle);
