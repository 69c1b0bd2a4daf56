import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { BucketObjects } from './bucket-objects';

/**
 * The public site bucket. A file is only rewritten when its bytes change, so its ETag and Last-Modified stay
 * put and feed readers polling with conditional GETs keep getting cheap 304s.
 */
export type WriteOutcome = 'written' | 'unchanged';

export class SiteBucket {
  private readonly objects: BucketObjects;

  constructor(s3: S3Client, bucket: string) {
    this.objects = new BucketObjects(s3, bucket);
  }

  async putIfChanged(key: string, body: string, contentType: string, cacheControl: string): Promise<WriteOutcome> {
    const digest = createHash('sha256').update(body, 'utf8').digest('hex');
    if ((await this.objects.metadata(key))?.sha256 === digest) return 'unchanged';
    await this.objects.put(key, body, { contentType, cacheControl, metadata: { sha256: digest } });
    return 'written';
  }

  async exists(key: string): Promise<boolean> {
    return (await this.objects.metadata(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    await this.objects.delete(key);
  }
}
