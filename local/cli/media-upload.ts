import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { sniffImageType } from '../../lambdas/core/media/image-types';
import type { CommandContext } from './context';
import { ApiError, UsageError } from './errors';
import { findLocalImages, rewriteImages, type LocalImageRef } from './local-images';
import { readInputFile } from './read-input';

const addressSchema = z.object({ name: z.string(), key: z.string(), url: z.string() });
const uploadAnswerSchema = z.discriminatedUnion('status', [
  addressSchema.extend({ status: z.literal('exists') }),
  addressSchema.extend({
    status: z.literal('upload'),
    uploadUrl: z.string(),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
  }),
]);
const verifiedSchema = addressSchema.extend({ status: z.literal('verified') });

/** One image file to upload, however many times and spellings the report uses for it. */
interface ImageFile {
  /** As the editor wrote it, for messages. */
  readonly shown: string;
  readonly absolutePath: string;
}

/**
 * Uploads every local image a report references and points its links at the public copies, before the report
 * is sent: `![alt](./photo.jpg)` in the body (and a `leadImage.url` naming a local file) becomes
 * `![alt](<siteUrl>/media/<sha256>.jpg)`. Paths are relative to the report file. Each file goes through the API:
 * `POST /api/media` (skipped upload when the server already holds the same bytes), a PUT to the presigned URL,
 * then `POST /api/media/{name}/check`. Rewrites `input.body` (and `input.leadImage.url`) in place.
 *
 * Refused before anything is uploaded: a local image without alt text (readers of screen readers get nothing
 * else; intake would refuse the report anyway) and a missing or unreadable file, each named by line.
 */
export async function uploadLocalImages(
  ctx: CommandContext,
  reportFile: string,
  input: Record<string, unknown>,
): Promise<void> {
  const body = typeof input.body === 'string' ? input.body : '';
  const refs = findLocalImages(body);
  const lead = localLeadImage(input.leadImage);
  if (refs.length === 0 && lead === undefined) return;

  const reportDir = dirname(resolve(ctx.cwd, reportFile));
  const firstBodyLine = await bodyLineOffset(ctx.cwd, reportFile, body);
  const where = (ref: LocalImageRef) => `${reportFile}:${ref.line + firstBodyLine}`;
  const withoutAlt = refs.filter((ref) => ref.alt.trim() === '');
  if (withoutAlt.length > 0) {
    throw new UsageError(
      withoutAlt
        .map(
          (ref) =>
            `${where(ref)}: image ${ref.destination} has no alt text; write ![what it shows](${ref.destination})`,
        )
        .join('; '),
    );
  }

  const files = new Map<string, ImageFile>();
  const fileOf = (path: string): ImageFile => {
    const absolutePath = resolve(reportDir, path);
    const file = files.get(absolutePath) ?? { shown: path, absolutePath };
    files.set(absolutePath, file);
    return file;
  };
  const bodyFiles = refs.map((ref) => ({ ref, file: fileOf(ref.path) }));
  const leadFile = lead === undefined ? undefined : fileOf(lead);

  const bytesByFile = new Map<ImageFile, Uint8Array>();
  for (const file of files.values()) {
    const use = bodyFiles.find((entry) => entry.file === file);
    bytesByFile.set(file, await readImage(file, use ? where(use.ref) : `${reportFile}: leadImage.url`));
  }
  const urls = new Map<ImageFile, string>();
  for (const [file, bytes] of bytesByFile) urls.set(file, await upload(ctx, file, bytes));

  input.body = rewriteImages(body, refs, (ref) => urls.get(fileOf(ref.path)) ?? ref.destination);
  if (leadFile !== undefined && isRecord(input.leadImage)) {
    input.leadImage = { ...input.leadImage, url: urls.get(leadFile) };
  }
}

async function upload(ctx: CommandContext, file: ImageFile, bytes: Uint8Array): Promise<string> {
  const client = ctx.client();
  const contentType = sniffImageType(bytes);
  if (contentType === undefined) {
    throw new UsageError(`${file.shown} is not a JPEG, PNG, WebP or GIF image (by its first bytes)`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const requested = await client.request('POST', '/api/media', { body: { contentType, size: bytes.length, sha256 } });
  const answer = parseAnswer(uploadAnswerSchema, requested, 'POST /api/media');
  if (answer.status === 'exists') {
    ctx.io.stderr.write(`image ${file.shown}: already uploaded, ${answer.url}\n`);
    return answer.url;
  }
  // Straight to storage, not the API: no bearer token goes with it, only the signed headers.
  const put = await fetch(answer.uploadUrl, { method: answer.method, headers: answer.headers, body: bytes });
  if (!put.ok) {
    const reason = /<Code>([^<]+)<\/Code>/.exec(await put.text())?.[1] ?? put.statusText;
    throw new ApiError(put.status, undefined, `uploading ${file.shown} was refused by storage (${reason})`);
  }
  await put.body?.cancel();
  const checked = await client.request('POST', `/api/media/${encodeURIComponent(answer.name)}/check`);
  const verified = parseAnswer(verifiedSchema, checked, `POST /api/media/${answer.name}/check`);
  ctx.io.stderr.write(`image ${file.shown}: uploaded, ${verified.url}\n`);
  return verified.url;
}

function parseAnswer<S extends z.ZodType>(
  schema: S,
  answer: { status: number; body: unknown },
  call: string,
): z.output<S> {
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) {
    throw new ApiError(
      answer.status,
      'unexpected_response',
      `${call} answered in a shape this CLI does not understand`,
    );
  }
  return parsed.data;
}

async function readImage(file: ImageFile, where: string): Promise<Uint8Array> {
  try {
    return await readFile(file.absolutePath);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
    throw new UsageError(`${where}: image ${file.shown} cannot be read (${reason}: ${file.absolutePath})`);
  }
}

/** A `leadImage.url` that names a local file rather than a URL. */
function localLeadImage(leadImage: unknown): string | undefined {
  if (!isRecord(leadImage) || typeof leadImage.url !== 'string') return undefined;
  const [ref] = findLocalImages(`![lead](${leadImage.url})`);
  return ref?.path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Lines of the file before the body, so a body line can be named by its line in the file. */
async function bodyLineOffset(cwd: string, reportFile: string, body: string): Promise<number> {
  const content = await readInputFile(cwd, reportFile);
  if (!content.endsWith(body)) return 0;
  return content.slice(0, content.length - body.length).split('\n').length - 1;
}
