import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { feedContentTypes, type FeedFile } from '../core/site/feeds/feed-files';
import type { StoredFeed } from '../core/site/private-feeds';
import { VAULT_PREFIX } from './data-model';

/** The private feed documents in the vault, with their placeholder and update time as object metadata. */
export class PrivateFeedFiles {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(file: FeedFile, body: string, placeholder: string, updated: Date): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${VAULT_PREFIX.privateFeeds}${file}`,
        Body: body,
        ContentType: feedContentTypes[file],
        CacheControl: 'private, no-store',
        Metadata: { placeholder, updated: updated.toISOString() },
      }),
    );
  }

  async get(file: FeedFile): Promise<StoredFeed | undefined> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: `${VAULT_PREFIX.privateFeeds}${file}` }),
      );
      const placeholder = object.Metadata?.placeholder;
      const updated = object.Metadata?.updated;
      if (!placeholder || !updated) throw new Error(`Private feed ${file} has no placeholder metadata`);
      return { body: (await object.Body?.transformToString('utf-8')) ?? '', placeholder, updated: new Date(updated) };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
