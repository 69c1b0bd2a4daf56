import type { ApiClient } from './api';
import { ApiError } from './api';

/**
 * Image upload from the report editor, in one module so it can follow the media routes as they settle (README
 * "Media upload"). The flow: announce the file (type, size, SHA-256 in hex) → the API answers a presigned PUT
 * into the site bucket under `media/` and the image's public URL (or that the same image is already there) → PUT
 * the bytes with the signed headers → ask the API to check what arrived (it deletes a mismatch and answers 422)
 * → the editor gets `![alt](url)` to insert. Alt text is required, as the report intake requires it.
 *
 * The PUT goes to the storage origin, not ours: the console's CSP (`connect-src`) and the site bucket's CORS
 * rules must allow it there.
 */
export const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
export const MAX_MEDIA_BYTES = 10 * 1024 * 1024;

/** `POST /api/media`: a presigned PUT to make (201), or the same image already stored and verified (200). */
export type UploadTicket =
  | {
      status: 'upload';
      uploadUrl: string;
      method: 'PUT';
      /** Signed: sent exactly as given, or storage refuses the bytes. */
      headers: Record<string, string>;
      name: string;
      key: string;
      url: string;
    }
  | { status: 'exists'; name: string; key: string; url: string };

/** Lowercase hex, computed in the browser (`crypto.subtle`), so the presigned PUT can carry the checksum. */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Why a file cannot be uploaded, before anything is sent; undefined when it can. */
export function mediaProblem(file: { type: string; size: number }, alt: string): string | undefined {
  if (!(MEDIA_TYPES as readonly string[]).includes(file.type))
    return 'Only JPEG, PNG, WebP and GIF images can be uploaded';
  if (file.size > MAX_MEDIA_BYTES) return 'The image is larger than 10 MB';
  if (file.size === 0) return 'The file is empty';
  if (alt.trim() === '') return 'Describe the image (alt text): readers who cannot see it are told what it shows';
  return undefined;
}

/** Markdown for an uploaded image; brackets in the alt text are escaped so the link stays one image. */
export function imageMarkdown(alt: string, url: string): string {
  const safeAlt = alt.trim().replace(/[[\]\\]/g, (char) => `\\${char}`);
  return `![${safeAlt}](${url})`;
}

/** Uploads one image and answers the Markdown that shows it. Throws ApiError with a sentence for the editor. */
export async function uploadImage(
  api: ApiClient,
  file: File,
  alt: string,
  fetchFn: (input: string, init: RequestInit) => Promise<Response> = (input, init) => fetch(input, init),
): Promise<string> {
  const problem = mediaProblem(file, alt);
  if (problem !== undefined) throw new ApiError(0, 'invalid_image', problem);
  const bytes = await file.arrayBuffer();
  const ticket = await api.request<UploadTicket>('POST', '/api/media', {
    body: { contentType: file.type, size: file.size, sha256: await sha256Hex(bytes) },
  });
  if (ticket.status === 'upload') {
    let upload: Response;
    try {
      upload = await fetchFn(ticket.uploadUrl, {
        method: ticket.method,
        headers: ticket.headers,
        body: bytes,
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'upload_failed', 'The image could not be sent to storage; try again');
    }
    if (!upload.ok) throw new ApiError(upload.status, 'upload_failed', `Storage refused the image (${upload.status})`);
    await api.request('POST', `/api/media/${encodeURIComponent(ticket.name)}/check`);
  }
  return imageMarkdown(alt, ticket.url);
}
