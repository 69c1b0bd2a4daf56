import { describe, expect, it } from 'vitest';
import {
  confirmUrl,
  mainFeedUrls,
  previewRecipientUrls,
  privateFeedUrl,
  privateFeedUrls,
  reportPageUrl,
  siteRootUrl,
  tagFeedsUrl,
  tagFeedUrls,
  unsubscribeUrl,
} from '../../lambdas/core/shared/reader-urls';
import { testPublication } from '../fixtures/hostile-views';

const site = 'https://observatory.example.net';

describe('reader URLs', () => {
  it('hang off the configured site without a doubled slash', () => {
    expect(siteRootUrl(testPublication)).toBe(`${site}/`);
    expect(reportPageUrl(testPublication, 'river-gauge-update')).toBe(`${site}/reports/river-gauge-update/`);
  });

  it('name the three public feed files under one folder, tags by their slug', () => {
    expect(mainFeedUrls(testPublication)).toEqual({
      rss: `${site}/feeds/rss.xml`,
      atom: `${site}/feeds/atom.xml`,
      json: `${site}/feeds/feed.json`,
    });
    expect(tagFeedsUrl(testPublication)).toBe(`${site}/feeds/tags/`);
    expect(tagFeedUrls(testPublication, 'R&D').rss).toBe(`${site}/feeds/tags/r-d/rss.xml`);
  });

  it('put reader tokens into links as issued', () => {
    const token = 'u.01JTESTSUBSCRIBER0000000000.0.abc-_XYZ';
    expect(unsubscribeUrl(testPublication, token)).toBe(`${site}/api/unsubscribe?token=${token}`);
    expect(confirmUrl(testPublication, token)).toBe(`${site}/api/subscribers/confirm?token=${token}`);
    expect(privateFeedUrl(testPublication, token)).toBe(`${site}/feeds/private/${token}/rss.xml`);
    expect(privateFeedUrls(testPublication, token).json).toBe(`${site}/feeds/private/${token}/feed.json`);
  });

  it('show the digest preview with example links that carry no reader token', () => {
    expect(previewRecipientUrls(testPublication)).toEqual({
      unsubscribeUrl: `${site}/api/unsubscribe?token=preview`,
      feedUrl: `${site}/feeds/private/preview/rss.xml`,
      manageUrl: `${site}/api/subscribers/manage?token=preview`,
    });
  });
});
