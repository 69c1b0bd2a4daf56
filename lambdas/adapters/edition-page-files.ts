import type { S3Client } from '@aws-sdk/client-s3';
import type { EditionPageFiles } from '../core/digest/edition-pages';
import { paidEditionPageKey } from './data-model';
import { BucketObjects } from './bucket-objects';
import type { Vault } from './vault';

const HTML = 'text/html; charset=utf-8';

/**
 * Where the edition pages go: the public page and `/editions/` to the site bucket (its `editions/` prefix is all
 * the planner may write there), the paid page to the vault, private like everything in it.
 */
export class EditionPageBuckets implements EditionPageFiles {
  private readonly site: BucketObjects;

  constructor(
    s3: S3Client,
    siteBucket: string,
    private readonly vault: Vault,
    private readonly pageCacheControl: string,
  ) {
    this.site = new BucketObjects(s3, siteBucket);
  }

  async putPublic(key: string, html: string): Promise<void> {
    await this.site.put(key, html, { contentType: HTML, cacheControl: this.pageCacheControl });
  }

  async putPaid(editionId: string, html: string): Promise<void> {
    await this.vault.put(paidEditionPageKey(editionId), html, HTML);
  }
}
