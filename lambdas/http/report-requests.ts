import { header, jsonObjectBody, rawBody, type ApiEvent } from './api';
import { SLUG_PATTERN } from '../core/reports/report';
import { TooLargeError } from '../core/shared/errors';
import { BadRequestError } from './errors';

/** A report's JSON body, refused before parsing when it cannot hold a body within `maxBodyBytes` of Markdown. */
export function reportBody(event: ApiEvent, maxBodyBytes: number): Record<string, unknown> {
  // JSON escaping can double a body's size; anything past this cannot hold a body within the limit.
  const maxRequestBytes = maxBodyBytes * 2 + 64 * 1024;
  if (Buffer.byteLength(rawBody(event), 'utf8') > maxRequestBytes) {
    throw new TooLargeError('The request is too large', [
      { field: 'body', message: `the limit is ${maxBodyBytes} bytes of Markdown` },
    ]);
  }
  return jsonObjectBody(event);
}

/** The revision an update expects (`If-Match: "3"`, weak or bare forms too), if it names one. */
export function ifMatchRevision(event: ApiEvent): number | undefined {
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

/** `?limit=` of the report list: 20 unless given, at most 100. */
export function pageSize(event: ApiEvent): number {
  const raw = event.queryStringParameters?.limit;
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
 * `?slug=` of the report list, if given. It makes the list a lookup rather than a page: the report that holds the
 * slug, whatever its state, or none (how `dispatch submit` finds the report a file names).
 */
export function slugFilter(event: ApiEvent): string | undefined {
  const slug = event.queryStringParameters?.slug;
  if (slug === undefined) return undefined;
  if (slug.length > 80 || !SLUG_PATTERN.test(slug)) {
    throw new BadRequestError('invalid_slug', 'slug must be lowercase words joined by hyphens, at most 80 characters', [
      { field: 'slug', message: 'must be lowercase words joined by hyphens, at most 80 characters' },
    ]);
  }
  return slug;
}
