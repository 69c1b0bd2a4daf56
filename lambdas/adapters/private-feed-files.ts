import type { S3Client } from '@aws-sdk/client-s3';
import { feedContentTypes, type FeedFile } from '../core/site/feeds/feed-files';
import type { StoredFeed } from '../core/site/private-feeds';
import { BucketObjects } from './bucket-objects';
import { VAULT_PREFIX } from './data-model';

const keyOf = (file: FeedFile) => `${VAULT_PREFIX.privateFeeds}${file}`;

/** The private feed documents in the vault, with their placeholder and update time as object metadata. */
export class PrivateFeedFiles {
  private readonly objects: BucketObjects;

  constructor(s3: S3Client, bucket: string) {
    this.objects = new BucketObjects(s3, bucket);
  }

  async put(file: FeedFile, body: string, placeholder: string, updated: Date): Promise<void> {
    await this.objects.put(keyOf(file), body, {
      contentType: feedContentTypes[file],
      cacheControl: 'private, no-store',
      metadata: { placeholder, updated: updated.toISOString() },
    });
  }

  async get(file: FeedFile): Promise<StoredFeed | undefined> {
    const object = await this.objects.find(keyOf(file));
    if (!object) return undefined;
    const { placeholder, updated } = object.metadata;
    if (!placeholder || !updated) throw new Error(`Private feed ${file} has no placeholder metadata`);
    return { body: object.body, placeholder, updated: new Date(updated) };
  }
}
