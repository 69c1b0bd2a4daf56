import type { S3Client } from '@aws-sdk/client-s3';
import type { MemberContent } from '../core/members/ports';
import type { PaidPart, ReportRecord } from '../core/reports/report';
import { BucketObjects } from './bucket-objects';
import { paidEditionPageKey } from './data-model';
import type { ReportsStore } from './reports-store';

/** The member pages' reads: reports by slug from the table, paid parts and paid edition pages from the vault. */
export class VaultMemberContent implements MemberContent {
  private readonly vault: BucketObjects;

  constructor(
    private readonly reports: Pick<ReportsStore, 'bySlug'>,
    s3: S3Client,
    vaultBucket: string,
  ) {
    this.vault = new BucketObjects(s3, vaultBucket);
  }

  reportBySlug(slug: string): Promise<ReportRecord | undefined> {
    return this.reports.bySlug(slug);
  }

  async paidPart(ref: string): Promise<PaidPart> {
    return JSON.parse((await this.vault.get(ref)).body) as PaidPart;
  }

  async paidEditionPage(editionId: string): Promise<string | undefined> {
    try {
      return (await this.vault.find(paidEditionPageKey(editionId)))?.body;
    } catch (error) {
      // The function may read `editions/*` and may not list the vault (that would list every edition), and S3
      // answers a GET of a missing key with 403 AccessDenied to a caller without s3:ListBucket. Under the prefix
      // it is granted, that 403 means "no such page"; any other error is a fault and goes on up.
      if ((error as { name?: string }).name === 'AccessDenied') return undefined;
      throw error;
    }
  }
}
