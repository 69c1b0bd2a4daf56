import { describe, expect, it } from 'vitest';
import { editionViews } from '../../lambdas/core/digest/edition-content';
import { memberReportUrl, reportPageUrl } from '../../lambdas/core/shared/reader-urls';
import {
  complimentaryRecord,
  publication,
  releasedRecord,
  subscriberPaidPart,
  subscriberRecord,
} from '../fixtures/digest-edition';

const records = [complimentaryRecord, subscriberRecord, releasedRecord];
const paidParts = new Map([[subscriberRecord.paidRef ?? '', subscriberPaidPart]]);
const urls = (tier: 'free' | 'paid') =>
  Object.fromEntries(editionViews(records, paidParts, tier, publication).map((view) => [view.id, view.url]));

describe('where an edition links its reports', () => {
  it('sends paid readers to the member page of a subscriber report, where they read it in full', () => {
    expect(urls('paid')[subscriberRecord.id]).toBe(memberReportUrl(publication, subscriberRecord.slug));
  });

  it('keeps the public page for reports everyone reads in full, in the paid edition too', () => {
    for (const record of [complimentaryRecord, releasedRecord]) {
      expect(urls('paid')[record.id]).toBe(reportPageUrl(publication, record.slug));
    }
  });

  it('links every report of the free edition to its public page', () => {
    for (const record of records) expect(urls('free')[record.id]).toBe(reportPageUrl(publication, record.slug));
  });
});
