import type { IncomingMessage, ServerResponse } from 'node:http';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { sendJson } from '../http-messages';
import { requestPath, siteKeyFor } from './site-path';
import { viewerRequest } from './viewer-request';

export interface SiteOrigin {
  s3: S3Client;
  bucket: string;
}

/**
 * CloudFront's default behaviour in front of the site bucket, and only the site bucket: GET and HEAD only, the
 * report-index rewrite (`viewer-request.ts`), directory paths mapped to index.html, objects served with the
 * Cache-Control the publisher gave them, 304 for conditional GETs, and a 400 for a path that is not a plain site
 * key (see `site-path.ts`).
 */
export async function serveSite(req: IncomingMessage, res: ServerResponse, origin: SiteOrigin): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'Only GET and HEAD are allowed' } });
    return;
  }
  // The raw target, not `url.pathname`: WHATWG parsing has already resolved `..`/`%2e%2e` and rewritten `\`,
  // which hides the attempt. The key must stay inside the site bucket: the S3 client is path-style, so a key
  // like `../dispatch-vault/…` would be read from the vault (issue 9, finding 6). Refused before any S3 call,
  // and before the viewer-request function, so no refused path is echoed into a Location header.
  const path = requestPath(req.url ?? '/') ?? '';
  const fenced = siteKeyFor(path);
  if (!fenced.ok) return badRequest(res, fenced.message);
  const rewrite = viewerRequest(path, req.method);
  if (rewrite.kind === 'respond') {
    res.writeHead(rewrite.status, rewrite.headers);
    res.end();
    return;
  }
  const site = siteKeyFor(rewrite.uri);
  if (!site.ok) return badRequest(res, site.message);
  let object;
  try {
    object = await origin.s3.send(new GetObjectCommand({ Bucket: origin.bucket, Key: site.key }));
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end('<!doctype html><title>Not found</title><h1>Not found</h1>');
      return;
    }
    throw error;
  }
  const etag = object.ETag ?? '';
  const lastModified = object.LastModified?.toUTCString() ?? '';
  const headers: Record<string, string> = {
    'content-type': object.ContentType ?? 'application/octet-stream',
    ...(object.CacheControl ? { 'cache-control': object.CacheControl } : {}),
    ...(etag ? { etag } : {}),
    ...(lastModified ? { 'last-modified': lastModified } : {}),
  };
  if (notModified(req, etag, object.LastModified)) {
    // The body is not sent, but its stream must be drained to free the S3 socket; a failure there changes nothing.
    object.Body?.transformToByteArray().catch(() => undefined);
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
  res.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function badRequest(res: ServerResponse, message: string): void {
  sendJson(res, 400, { error: { code: 'bad_request', message } });
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date | undefined): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch) {
    return ifNoneMatch.split(',').some((tag) => {
      const candidate = tag.trim().replace(/^W\//, '');
      return candidate === '*' || candidate === etag;
    });
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince && lastModified) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
