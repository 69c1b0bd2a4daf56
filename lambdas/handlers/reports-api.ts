import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { digestsTable, idempotencyTable, reportsTable, vaultBucket } from '../adapters/data-model';
import { DigestsStore } from '../adapters/digests-store';
import { IdempotencyStore } from '../adapters/idempotency-store';
import { LeakStatusStore } from '../adapters/leak-status-store';
import { logger } from '../adapters/logger';
import { emitMetric } from '../adapters/metrics';
import { observed } from '../adapters/observability';
import { InvalidCursorError, ReportsStore } from '../adapters/reports-store';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
import { pauseEditionsWithReport } from '../core/digest/edition-control';
import { leakBlockedView } from '../core/paywall/leak-status';
import { ReportService } from '../core/reports/report-service';
import { apiHandler, caller, header, json, jsonObjectBody, rawBody, type ApiEvent, type ApiResult } from '../http/api';
import { BadRequestError, ConflictError, HttpError, NotFoundError, PayloadTooLargeError } from '../http/errors';

const publication = loadPublication();
const service = new ReportService(
  new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env)),
  new Vault(s3Client(), requireEnv(vaultBucket.env)),
  publication,
);
const leakStatus = new LeakStatusStore(dynamoDocumentClient(), tableName(reportsTable.env));
const editions = new DigestsStore(dynamoDocumentClient(), tableName(digestsTable.env));
const idempotency = new IdempotencyStore(dynamoDocumentClient(), tableName(idempotencyTable.env));
/** JSON escaping can double a body's size; anything past this cannot hold a body within the limit. */
const MAX_REQUEST_BYTES = publication.maxBodyBytes * 2 + 64 * 1024;

async function route(event: ApiEvent): Promise<ApiResult> {
  const editor = caller(event);
  const id = event.pathParameters?.id ?? '';
  const now = new Date();
  switch (event.routeKey) {
    case 'POST /api/reports':
      return idempotent(event, editor.editorId, async (reserved) => {
        const created = await service.create(readBody(event), now, reserved.id, editor);
        logger.info('Report created', { reportId: created.id, revision: created.revision, editorId: editor.editorId });
        emitMetric('Submits');
        return json(201, created, { location: `/api/reports/${created.id}` });
      });
    case 'POST /api/reports/preview':
      return json(200, service.preview(readBody(event), now));
    case 'PUT /api/reports/{id}':
      return idempotent(event, editor.editorId, async () => {
        const updated = await service.update(id, readBody(event), ifMatch(event), now, editor);
        const reason = `report ${id} was corrected (revision ${updated.revision}) while this edition was being sent; resume to send the correction, or cancel`;
        const pausedEditions = await pauseEditionsWithReport(editions, id, reason, now);
        logger.info('Report updated', {
          reportId: id,
          revision: updated.revision,
          editorId: editor.editorId,
          pausedEditions,
        });
        return json(200, { ...updated, pausedEditions });
      });
    case 'DELETE /api/reports/{id}': {
      const result = await service.unpublish(id, now, editor);
      const reason = `report ${id} was unpublished while this edition was being sent; resume to send the edition without it, or cancel`;
      const pausedEditions = await pauseEditionsWithReport(editions, id, reason, now);
      logger.info('Report unpublished', { reportId: id, editorId: editor.editorId, pausedEditions });
      return json(200, { ...result, state: 'unpublished', pausedEditions });
    }
    case 'GET /api/reports/{id}': {
      const [{ record, paid, source, visibility }, leak] = await Promise.all([
        service.read(id, now),
        leakStatus.get(id),
      ]);
      const { fingerprints: _fingerprints, ...report } = record;
      return json(200, {
        ...report,
        visibility,
        leakBlocked: leakBlockedView(record, leak),
        body: source.body,
        subscriberMarkdown: paid?.subscriberMarkdown ?? null,
        fullHtml: paid?.fullHtml ?? record.publicHtml,
        history: await service.history(id, record.revision),
      });
    }
    case 'GET /api/reports': {
      const limit = pageSize(event.queryStringParameters?.limit);
      try {
        const page = await service.list(limit, event.queryStringParameters?.cursor);
        return json(200, {
          items: page.items.map((record) => ({
            id: record.id,
            slug: record.slug,
            title: record.title,
            tier: record.tier,
            series: record.series,
            state: record.state,
            publishAt: record.publishAt,
            updatedAt: record.updatedAt,
            revision: record.revision,
            tags: record.tags,
          })),
          nextCursor: page.nextCursor ?? null,
        });
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new BadRequestError('invalid_cursor', error.message, [{ field: 'cursor', message: error.message }]);
        }
        throw error;
      }
    }
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
}

function readBody(event: ApiEvent): Record<string, unknown> {
  if (Buffer.byteLength(rawBody(event), 'utf8') > MAX_REQUEST_BYTES) {
    throw new PayloadTooLargeError('The request is too large', [
      { field: 'body', message: `the limit is ${publication.maxBodyBytes} bytes of Markdown` },
    ]);
  }
  return jsonObjectBody(event);
}

function ifMatch(event: ApiEvent): number | undefined {
  const value = header(event, 'if-match');
  if (value === undefined) return undefined;
  const revision = Number(value.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
  if (!Number.isInteger(revision) || revision < 1) {
    throw new BadRequestError('invalid_if_match', 'If-Match must be a revision number, e.g. "3"', [
      { field: 'If-Match', message: 'must be a revision number' },
    ]);
  }
  return revision;
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined) return 20;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new BadRequestError('invalid_limit', 'limit must be an integer from 1 to 100', [
      { field: 'limit', message: 'must be an integer from 1 to 100' },
    ]);
  }
  return limit;
}

/**
 * Idempotency-Key: the first response is stored and replayed to every retry with the same key and body; the
 * same key with another body is a client error (422). Failed requests release the key.
 */
async function idempotent(
  event: ApiEvent,
  editorId: string,
  work: (reserved: { id: string }) => Promise<ApiResult>,
): Promise<ApiResult> {
  const key = header(event, 'idempotency-key');
  if (key === undefined) return work({ id: ulid() });
  if (key.length < 1 || key.length > 255) {
    throw new BadRequestError('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 characters' },
    ]);
  }
  const scopedKey = `${editorId}#${event.routeKey}#${event.rawPath}#${key}`;
  const requestHash = createHash('sha256')
    .update(rawBody(event))
    .update('\0')
    .update(header(event, 'if-match') ?? '')
    .digest('hex');
  const claim = await idempotency.claim(scopedKey, requestHash, { id: ulid() }, new Date());
  switch (claim.outcome) {
    case 'mismatch':
      throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request', [
        { field: 'Idempotency-Key', message: 'was already used with a different body' },
      ]);
    case 'in_progress':
      throw new ConflictError(
        'request_in_progress',
        'A request with this Idempotency-Key is still being processed; retry shortly',
      );
    case 'replay': {
      const stored = claim.record.response;
      if (!stored) throw new ConflictError('request_in_progress', 'The first request has not finished');
      return json(stored.statusCode, JSON.parse(stored.body) as unknown, {
        ...(stored.location ? { location: stored.location } : {}),
        'idempotent-replayed': 'true',
      });
    }
    case 'claimed': {
      const reservedId = claim.record.reserved.id ?? ulid();
      let result: ApiResult;
      try {
        result = await work({ id: reservedId });
      } catch (error) {
        await idempotency.release(scopedKey);
        throw error;
      }
      const location = result.headers?.location;
      await idempotency.complete(claim.record, {
        statusCode: result.statusCode ?? 200,
        body: result.body ?? '',
        ...(typeof location === 'string' ? { location } : {}),
      });
      return result;
    }
  }
}

export const handler = observed(apiHandler(route));
