import type { ImageContentType } from './image-types';

/** An uploaded object as the after-upload check reads it. */
export interface StoredMedia {
  readonly bytes: Uint8Array;
  /** The Content-Type stored with the object. */
  readonly contentType: string | undefined;
}

/** What an upload URL allows: exactly these headers and bytes, under one key, until it expires. */
export interface UploadTerms {
  readonly contentType: ImageContentType;
  readonly size: number;
  /** Hex; the adapter signs it in whatever encoding the store checks. */
  readonly sha256: string;
  readonly cacheControl: string;
  readonly expiresInSeconds: number;
}

/** A presigned upload: the URL to PUT to and the headers that must accompany it, each covered by the signature. */
export interface UploadSlot {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The media objects of the site bucket; the S3 adapter (`adapters/media-bucket.ts`) implements it. */
export interface MediaObjects {
  /** The object's size in bytes, or undefined when there is none under `key`. */
  size(key: string): Promise<number | undefined>;
  /** The object, or undefined when there is none under `key`. */
  read(key: string): Promise<StoredMedia | undefined>;
  remove(key: string): Promise<void>;
  uploadSlot(key: string, terms: UploadTerms): Promise<UploadSlot>;
}
