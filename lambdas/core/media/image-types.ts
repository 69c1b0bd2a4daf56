/**
 * The images an editor may upload, and how each is recognised from its first bytes. The declared type and the
 * file name's extension can both lie; the magic bytes decide what a file is (checked after every upload).
 */
export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
export type ImageContentType = (typeof IMAGE_CONTENT_TYPES)[number];

/** The largest upload accepted: 10 MB (MiB), signed into every upload URL and checked again after the upload. */
export const MAX_MEDIA_BYTES = 10 * 1024 * 1024;

/** One extension per type: the public name of an upload is content-addressed, so it has exactly one spelling. */
export const EXTENSION_BY_TYPE: Readonly<Record<ImageContentType, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((byte, index) => bytes[at + index] === byte);

/** The signatures of the four formats (JPEG SOI + marker, PNG's 8-byte signature, GIF87a/89a, RIFF….WEBP). */
const SIGNATURES: Readonly<Record<ImageContentType, (bytes: Uint8Array) => boolean>> = {
  'image/jpeg': (bytes) => startsWith(bytes, [0xff, 0xd8, 0xff]),
  'image/png': (bytes) => startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/gif': (bytes) => startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a')),
  'image/webp': (bytes) => startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8),
};

/** The accepted type the bytes are, by their signature; undefined for anything else. */
export function sniffImageType(bytes: Uint8Array): ImageContentType | undefined {
  return IMAGE_CONTENT_TYPES.find((type) => SIGNATURES[type](bytes));
}

export function isImageContentType(value: string): value is ImageContentType {
  return (IMAGE_CONTENT_TYPES as readonly string[]).includes(value);
}
