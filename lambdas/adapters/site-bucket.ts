import { createHash } from 'node:crypto';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * The public site bucket. A file is only rewritten when its bytes change, so its ETag and Last-Modified stay
 * put and feed readers polling with conditional GETs keep getting cheap 304s.
 */
export type WriteOutcome = 'written' | 'unchanged';

export class SiteBucket {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putIfChanged(key: string, body: string, contentType: string, cacheControl: string): Promise<WriteOutcome> {
    const digest = createHash('sha256').update(body, 'utf8').digest('hex');
    if ((await this.storedDigest(key)) === digest) return 'unchanged';
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        CacheControl: cacheControl,
        Metadata: { sha256: digest },
      }),
    );
    return 'written';
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  private async storedDigest(key: string): Promise<string | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.Metadata?.sha256;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
  }
}
