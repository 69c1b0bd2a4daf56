import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
  /** User metadata (`x-amz-meta-*`): small strings stored and returned with the object. */
  metadata?: Record<string, string>;
}

export interface StoredObject {
  body: string;
  metadata: Record<string, string>;
}

/** Text objects in one S3 bucket: the get/put/head/delete calls the site bucket, the vault and the feed files share. */
export class BucketObjects {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string, headers: ObjectHeaders): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: headers.contentType,
        CacheControl: headers.cacheControl,
        ...(headers.metadata ? { Metadata: headers.metadata } : {}),
      }),
    );
  }

  /** The object as UTF-8 text with its metadata; throws when there is none under `key`. */
  async get(key: string): Promise<StoredObject> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return { body: (await object.Body?.transformToString('utf-8')) ?? '', metadata: object.Metadata ?? {} };
  }

  /** Like `get`, but undefined when there is no object under `key`. */
  async find(key: string): Promise<StoredObject | undefined> {
    return ifPresent(this.get(key));
  }

  /** The object's metadata without its body (HEAD); undefined when there is no object under `key`. */
  async metadata(key: string): Promise<Record<string, string> | undefined> {
    const head = await ifPresent(this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
    return head ? (head.Metadata ?? {}) : undefined;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

/** The read's result, or undefined when the key is missing; every other error (access, bucket, network) is thrown. */
async function ifPresent<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

/**
 * A GET of a missing key fails with NoSuchKey. A HEAD has no body to name its error, so a missing key is a bare
 * 404 (the SDK names it NotFound); a missing bucket is a 404 too, but a GET names it NoSuchBucket and it is not
 * taken for a missing object.
 */
function isMissingObject(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NoSuchKey' || name === 'NotFound' || ($metadata?.httpStatusCode === 404 && name !== 'NoSuchBucket');
}
