import { createHash } from 'node:crypto';
import type { FieldError } from '../shared/errors';
import { MAX_MEDIA_BYTES, sniffImageType } from './image-types';
import type { MediaName } from './media-names';
import type { StoredMedia } from './ports';

/**
 * What is wrong with an uploaded object, judged against its name: the bytes must hash to the name's SHA-256, be
 * the image type its extension names (by their signature, not by what anyone declared), be stored with that
 * Content-Type, and fit the size limit. The signed upload URL already enforces all of this on S3; this check is
 * what holds where a store does not (s3rver ignores signatures) and for anything uploaded some other way.
 * Empty when the object is what its name promises.
 */
export function uploadProblems(media: MediaName, stored: StoredMedia): FieldError[] {
  const problems: FieldError[] = [];
  const { bytes } = stored;
  if (bytes.length === 0) problems.push({ field: 'size', message: 'the uploaded file is empty' });
  if (bytes.length > MAX_MEDIA_BYTES) {
    problems.push({ field: 'size', message: `the uploaded file is ${bytes.length} bytes; at most ${MAX_MEDIA_BYTES}` });
  }
  const sniffed = sniffImageType(bytes);
  if (sniffed !== media.contentType) {
    problems.push({
      field: 'contentType',
      message: `the uploaded bytes are ${sniffed ?? 'not a JPEG, PNG, WebP or GIF image'}, not ${media.contentType}`,
    });
  } else if (stored.contentType !== media.contentType) {
    problems.push({
      field: 'contentType',
      message: `the upload was stored as ${stored.contentType ?? 'no type'}, not ${media.contentType}`,
    });
  }
  if (createHash('sha256').update(bytes).digest('hex') !== media.sha256) {
    problems.push({ field: 'sha256', message: 'the uploaded bytes do not have the announced SHA-256' });
  }
  return problems;
}
