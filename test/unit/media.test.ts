import { describe, expect, it } from 'vitest';
import {
  EXTENSION_BY_TYPE,
  IMAGE_CONTENT_TYPES,
  MAX_MEDIA_BYTES,
  sniffImageType,
} from '../../lambdas/core/media/image-types';
import { mediaKey, mediaName, mediaUrl, parseMediaName } from '../../lambdas/core/media/media-names';
import { uploadProblems } from '../../lambdas/core/media/upload-check';
import { uploadRequestSchema } from '../../lambdas/core/media/upload-request';
import { PATH_PARAMETERS } from '../../lambdas/routes';
import { jpegImage, pngImage, sha256Hex } from '../fixtures/images';

const webp = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([26, 0, 0, 0]),
  Buffer.from('WEBPVP8L'),
  Buffer.alloc(14),
]);
const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0, 0x3b])]);

describe('image types by magic bytes', () => {
  it('recognises each accepted format and nothing else', () => {
    expect(sniffImageType(pngImage([1, 2, 3, 255]))).toBe('image/png');
    expect(sniffImageType(jpegImage(128))).toBe('image/jpeg');
    expect(sniffImageType(webp)).toBe('image/webp');
    expect(sniffImageType(gif)).toBe('image/gif');
    expect(sniffImageType(Buffer.from('GIF87a...'))).toBe('image/gif');
    for (const other of [
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from('<!doctype html><script>alert(1)</script>'),
      Buffer.from('RIFF\0\0\0\0WAVEfmt '),
      Buffer.from([0x89, 0x50, 0x4e, 0x47]), // a truncated PNG signature
      Buffer.alloc(0),
    ]) {
      expect(sniffImageType(other)).toBeUndefined();
    }
  });
});

describe('media names', () => {
  const sha = sha256Hex(Buffer.from('x'));

  it('are <sha256>.<ext>, one extension per type, and parse back', () => {
    for (const type of IMAGE_CONTENT_TYPES) {
      const media = mediaName(sha, type);
      expect(media.name).toBe(`${sha}.${EXTENSION_BY_TYPE[type]}`);
      expect(parseMediaName(media.name)).toEqual(media);
      expect(mediaKey(media)).toBe(`media/${media.name}`);
      // The route's path parameter rule accepts exactly these names.
      expect(PATH_PARAMETERS.name.pattern.test(media.name)).toBe(true);
      expect(media.name.length).toBeLessThanOrEqual(PATH_PARAMETERS.name.maxLength);
    }
    expect(mediaUrl('https://reports.example.org', mediaName(sha, 'image/gif'))).toBe(
      `https://reports.example.org/media/${sha}.gif`,
    );
  });

  it('refuse anything else', () => {
    for (const name of [
      `${sha}.jpeg`,
      `${sha.toUpperCase()}.png`,
      `${sha.slice(1)}.png`,
      `${sha}.svg`,
      `../${sha}.png`,
    ]) {
      expect(parseMediaName(name)).toBeUndefined();
      expect(PATH_PARAMETERS.name.pattern.test(name)).toBe(false);
    }
  });
});

describe('upload request', () => {
  it('names each wrong field', () => {
    const result = uploadRequestSchema.safeParse({
      contentType: 'image/svg+xml',
      size: MAX_MEDIA_BYTES + 1,
      sha256: 'z',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['contentType', 'sha256', 'size']);
  });

  it('takes exactly 10 MB and refuses unknown fields', () => {
    const sha256 = sha256Hex(Buffer.from('y'));
    expect(uploadRequestSchema.safeParse({ contentType: 'image/webp', size: MAX_MEDIA_BYTES, sha256 }).success).toBe(
      true,
    );
    expect(
      uploadRequestSchema.safeParse({ contentType: 'image/webp', size: 1, sha256, key: 'media/../index.html' }).success,
    ).toBe(false);
  });
});

describe('after-upload check', () => {
  const png = pngImage([3, 3, 3, 255]);
  const announced = mediaName(sha256Hex(png), 'image/png');

  it('passes the announced bytes stored with the announced type', () => {
    expect(uploadProblems(announced, { bytes: png, contentType: 'image/png' })).toEqual([]);
  });

  it('names the hash, the type by magic bytes, the stored type and the size', () => {
    const fields = (bytes: Uint8Array, contentType: string | undefined) =>
      uploadProblems(announced, { bytes, contentType }).map((problem) => problem.field);
    expect(fields(pngImage([4, 3, 3, 255]), 'image/png')).toEqual(['sha256']);
    expect(fields(jpegImage(3), 'image/png')).toEqual(['contentType', 'sha256']);
    expect(fields(png, 'text/html')).toEqual(['contentType']);
    expect(fields(png, undefined)).toEqual(['contentType']);
    expect(fields(new Uint8Array(), 'image/png')).toEqual(['size', 'contentType', 'sha256']);
  });
});
