import { InvalidInputError, NotFoundError, type FieldError } from '../shared/errors';
import { MAX_MEDIA_BYTES, type ImageContentType } from './image-types';
import { MEDIA_CACHE_CONTROL, mediaKey, mediaName, mediaUrl, parseMediaName, type MediaName } from './media-names';
import type { MediaObjects } from './ports';
import { uploadProblems } from './upload-check';
import type { UploadRequest } from './upload-request';

/** How long an upload URL stays valid: long enough for 10 MB on a slow line, short enough not to linger. */
export const UPLOAD_WINDOW_SECONDS = 10 * 60;

interface MediaAddress {
  /** `<sha256 hex>.<ext>` */
  readonly name: string;
  /** The site bucket key, `media/<name>`. */
  readonly key: string;
  /** Where readers load it: `<siteUrl>/media/<name>`. */
  readonly url: string;
}

/** The answer to an upload request: the image is already there (skip the upload), or where to PUT it. */
export type UploadAnswer =
  | (MediaAddress & { readonly status: 'exists' })
  | (MediaAddress & {
      readonly status: 'upload';
      readonly uploadUrl: string;
      readonly method: 'PUT';
      /** Every one must be sent exactly as given: each is covered by the URL's signature. */
      readonly headers: Readonly<Record<string, string>>;
      readonly expiresAt: string;
    });

export interface VerifiedMedia extends MediaAddress {
  readonly contentType: ImageContentType;
  readonly size: number;
  readonly sha256: string;
}

type Inspection =
  | { readonly kind: 'missing' }
  | { readonly kind: 'verified'; readonly size: number }
  | { readonly kind: 'rejected'; readonly problems: FieldError[] };

/**
 * Image uploads into the site bucket's `media/` folder: hands out presigned uploads for announced files and
 * verifies what arrived. An object is only ever kept under a name once its bytes have been checked against it.
 */
export class MediaLibrary {
  constructor(
    private readonly objects: MediaObjects,
    private readonly siteUrl: string,
  ) {}

  /**
   * An upload slot for the announced file, or `exists` when a verified copy is already stored (the name is its
   * hash, so it is the same file). A copy that fails the check (bytes that never matched their name) is deleted
   * and a fresh slot handed out.
   */
  async requestUpload(request: UploadRequest, now: Date): Promise<UploadAnswer> {
    const media = mediaName(request.sha256, request.contentType);
    const address = this.address(media);
    const found = await this.inspect(media);
    if (found.kind === 'verified') return { status: 'exists', ...address };
    if (found.kind === 'rejected') await this.objects.remove(address.key);
    const slot = await this.objects.uploadSlot(address.key, {
      contentType: request.contentType,
      size: request.size,
      sha256: request.sha256,
      cacheControl: MEDIA_CACHE_CONTROL,
      expiresInSeconds: UPLOAD_WINDOW_SECONDS,
    });
    return {
      status: 'upload',
      ...address,
      uploadUrl: slot.url,
      method: 'PUT',
      headers: slot.headers,
      expiresAt: new Date(now.getTime() + UPLOAD_WINDOW_SECONDS * 1000).toISOString(),
    };
  }

  /**
   * The after-upload check: the object stored under `name` is what the name promises, or it is deleted and the
   * caller told what was wrong (an {@link InvalidInputError} naming `size`, `contentType` or `sha256`).
   */
  async check(name: string): Promise<VerifiedMedia> {
    const media = parseMediaName(name);
    if (media === undefined) {
      throw new InvalidInputError([{ field: 'name', message: 'must be <sha256 hex>.jpg, .png, .webp or .gif' }]);
    }
    const address = this.address(media);
    const found = await this.inspect(media);
    if (found.kind === 'missing') {
      throw new NotFoundError(`Nothing is stored as ${address.key}: PUT the file to its uploadUrl first`);
    }
    if (found.kind === 'rejected') {
      await this.objects.remove(address.key);
      throw new InvalidInputError(
        found.problems,
        `The upload ${media.name} is not what was announced, so it was deleted`,
      );
    }
    return { ...address, contentType: media.contentType, size: found.size, sha256: media.sha256 };
  }

  private address(media: MediaName): MediaAddress {
    return { name: media.name, key: mediaKey(media), url: mediaUrl(this.siteUrl, media) };
  }

  private async inspect(media: MediaName): Promise<Inspection> {
    const key = mediaKey(media);
    // The size first: an oversized object is refused without reading it into memory.
    const size = await this.objects.size(key);
    if (size === undefined) return { kind: 'missing' };
    if (size > MAX_MEDIA_BYTES) {
      return {
        kind: 'rejected',
        problems: [{ field: 'size', message: `is ${size} bytes; at most ${MAX_MEDIA_BYTES}` }],
      };
    }
    const stored = await this.objects.read(key);
    // Gone since the size was read: a concurrent check deleted it.
    if (stored === undefined) return { kind: 'missing' };
    const problems = uploadProblems(media, stored);
    return problems.length > 0 ? { kind: 'rejected', problems } : { kind: 'verified', size: stored.bytes.length };
  }
}
