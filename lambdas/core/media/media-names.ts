import { EXTENSION_BY_TYPE, IMAGE_CONTENT_TYPES, type ImageContentType } from './image-types';

/**
 * Where an upload lives. Names are content-addressed, `<sha256 hex>.<ext>`: the same image uploaded twice is one
 * object, a name never changes meaning (so it can be cached forever), and the name itself says which bytes
 * belong under it, which is what the after-upload check verifies.
 */
export const MEDIA_PREFIX = 'media/';

/** Immutable: a content-addressed object never changes, so browsers and CloudFront may keep it for a year. */
export const MEDIA_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface MediaName {
  /** `<sha256 hex>.<ext>`, the last segment of the key and of the public URL. */
  readonly name: string;
  readonly sha256: string;
  readonly contentType: ImageContentType;
}

export function mediaName(sha256: string, contentType: ImageContentType): MediaName {
  return { name: `${sha256}.${EXTENSION_BY_TYPE[contentType]}`, sha256, contentType };
}

const NAME_PATTERN = /^([0-9a-f]{64})\.([a-z]+)$/;

/** A name as `mediaName` writes it, or undefined for anything else (wrong hash length, case, unknown extension). */
export function parseMediaName(name: string): MediaName | undefined {
  const match = NAME_PATTERN.exec(name);
  const contentType = IMAGE_CONTENT_TYPES.find((type) => EXTENSION_BY_TYPE[type] === match?.[2]);
  if (match?.[1] === undefined || contentType === undefined) return undefined;
  return mediaName(match[1], contentType);
}

/** The object key in the site bucket. */
export function mediaKey(media: MediaName): string {
  return `${MEDIA_PREFIX}${media.name}`;
}

/** The public URL readers load it from (`siteUrl` is stored without a trailing slash, see reader-urls.ts). */
export function mediaUrl(siteUrl: string, media: MediaName): string {
  return `${siteUrl}/${mediaKey(media)}`;
}
