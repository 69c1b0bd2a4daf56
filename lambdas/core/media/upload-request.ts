import { z } from 'zod';
import { IMAGE_CONTENT_TYPES, MAX_MEDIA_BYTES } from './image-types';

/**
 * What an editor announces before uploading: the type, the exact size and the SHA-256 of the file, as 64 hex
 * characters (what `sha256sum` and `shasum -a 256` print; either case). All three are signed into the upload
 * URL, so the upload can only carry those bytes.
 */
export const uploadRequestSchema = z
  .object({
    contentType: z.enum(IMAGE_CONTENT_TYPES, {
      error: `must be one of ${IMAGE_CONTENT_TYPES.join(', ')}`,
    }),
    size: z
      .number({ error: 'must be the size of the file in bytes' })
      .int('must be a whole number of bytes')
      .min(1, 'must be at least 1 byte')
      .max(MAX_MEDIA_BYTES, `must be at most ${MAX_MEDIA_BYTES} bytes (10 MB)`),
    sha256: z
      .string({ error: 'must be the SHA-256 of the file as 64 hex characters' })
      .regex(/^[0-9a-fA-F]{64}$/, 'must be the SHA-256 of the file as 64 hex characters')
      .transform((hex) => hex.toLowerCase()),
  })
  .strict();

export type UploadRequest = z.infer<typeof uploadRequestSchema>;
