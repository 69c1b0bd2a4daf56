import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MediaObjects, StoredMedia, UploadSlot, UploadTerms } from '../core/media/ports';

/** The headers an upload must carry, all signed: S3 refuses a PUT whose size, type, caching or bytes differ. */
const SIGNED_UPLOAD_HEADERS = ['cache-control', 'content-length', 'content-type', 'x-amz-checksum-sha256'] as const;

/**
 * The `media/` objects of the site bucket, and presigned PUTs into it.
 *
 * Existence and size come from a ListObjectsV2 on the exact key, not a HEAD: without `s3:ListBucket` S3 answers a
 * HEAD of a missing key with 403, and this function's ListBucket is limited to the `media/` prefix by an IAM
 * condition (`s3:prefix`), which only a List request carries.
 */
export class MediaBucket implements MediaObjects {
  /**
   * @param s3 reads, lists and deletes (traced)
   * @param presigner signs upload URLs; see `s3PresigningClient` for why it is a client of its own
   */
  constructor(
    private readonly s3: S3Client,
    private readonly presigner: S3Client,
    private readonly bucket: string,
  ) {}

  async size(key: string): Promise<number | undefined> {
    const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 }));
    // The exact key sorts before every longer key it prefixes, so it is the first one listed if it exists.
    const first = listed.Contents?.[0];
    return first?.Key === key ? (first.Size ?? 0) : undefined;
  }

  async read(key: string): Promise<StoredMedia | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        bytes: (await object.Body?.transformToByteArray()) ?? new Uint8Array(),
        contentType: object.ContentType,
      };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async uploadSlot(key: string, terms: UploadTerms): Promise<UploadSlot> {
    const checksum = Buffer.from(terms.sha256, 'hex').toString('base64');
    const url = await getSignedUrl(
      this.presigner,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: terms.contentType,
        ContentLength: terms.size,
        CacheControl: terms.cacheControl,
        ChecksumSHA256: checksum,
      }),
      {
        expiresIn: terms.expiresInSeconds,
        signableHeaders: new Set(SIGNED_UPLOAD_HEADERS),
        // A header, not a query parameter: S3 verifies the body against the x-amz-checksum-sha256 header.
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    );
    const headers: Record<(typeof SIGNED_UPLOAD_HEADERS)[number], string> = {
      'cache-control': terms.cacheControl,
      'content-length': String(terms.size),
      'content-type': terms.contentType,
      'x-amz-checksum-sha256': checksum,
    };
    assertSignedHeaders(url, Object.keys(headers));
    return { url, headers };
  }
}

/**
 * The URL's signature must cover exactly `host` and the headers handed to the uploader: a header the SDK added
 * and signed on its own would make every upload fail, and a missing one would leave that limit unenforced.
 */
function assertSignedHeaders(url: string, handedOut: readonly string[]): void {
  const signed = (new URL(url).searchParams.get('X-Amz-SignedHeaders') ?? '').split(';').sort();
  const expected = ['host', ...handedOut].sort();
  if (signed.join(';') !== expected.join(';')) {
    throw new Error(`The upload URL signs ${signed.join(';')}, expected ${expected.join(';')}`);
  }
}
