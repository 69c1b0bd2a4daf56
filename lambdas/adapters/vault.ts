import type { S3Client } from '@aws-sdk/client-s3';
import { BucketObjects } from './bucket-objects';

/** The private vault bucket: subscriber-only parts, sources, compiled editions, private feeds. */
export class Vault {
  private readonly objects: BucketObjects;

  constructor(s3: S3Client, bucket: string) {
    this.objects = new BucketObjects(s3, bucket);
  }

  async put(key: string, body: string, contentType: string, cacheControl = 'private, no-store'): Promise<void> {
    await this.objects.put(key, body, { contentType, cacheControl });
  }

  async getText(key: string): Promise<string> {
    return (await this.objects.get(key)).body;
  }

  async getJson<T>(key: string): Promise<T> {
    return JSON.parse(await this.getText(key)) as T;
  }
}
