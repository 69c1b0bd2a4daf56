import { runInNewContext } from 'node:vm';
import { Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, PRIVATE_FEED_HEADERS } from '../../lambdas/http/security-headers';
import {
  CONSOLE_PATH_PATTERN,
  MEDIA_PATH_PATTERN,
  MEMBERS_PATH_PATTERN,
  PUBLIC_FEEDS_PATH_PATTERN,
} from '../../lib/constructs/edge-distribution';
import { MEMBER_PATH_REWRITE_CODE } from '../../lib/edge/member-path-rewrite';
import { REPORT_INDEX_REWRITE_CODE } from '../../lib/edge/report-index-rewrite';
import { synthDispatch } from './dispatch-app';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  CachePolicyId: unknown;
  OriginRequestPolicyId?: string;
  AllowedMethods: string[];
  ViewerProtocolPolicy: string;
  ResponseHeadersPolicyId?: unknown;
  FunctionAssociations?: unknown[];
  Compress?: boolean;
}
interface DistributionConfig {
  CacheBehaviors: Behavior[];
  DefaultCacheBehavior: Behavior;
  DefaultRootObject: string;
  Origins: {
    Id: string;
    DomainName: unknown;
    S3OriginConfig?: unknown;
    OriginAccessControlId?: unknown;
    CustomOriginConfig?: unknown;
  }[];
}

describe('CloudFront', () => {
  let template: Template;
  let config: DistributionConfig;
  beforeAll(() => {
    template = synthDispatch().statelessTemplate;
    const capture = new Capture();
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: capture });
    config = capture.asObject() as DistributionConfig;
  });

  const behavior = (pattern: string): Behavior => {
    const found = config.CacheBehaviors.find((candidate) => candidate.PathPattern === pattern);
    if (found === undefined) throw new Error(`No behaviour for ${pattern}`);
    return found;
  };
  const origin = (id: string): DistributionConfig['Origins'][number] | undefined =>
    config.Origins.find((candidate) => candidate.Id === id);

  it.each(['/api/*', '/feeds/private/*', MEMBERS_PATH_PATTERN])(
    '%s goes to the HTTP API uncached with all viewer headers but Host',
    (pattern) => {
      const apiBehavior = behavior(pattern);
      expect(apiBehavior).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'https-only',
      });
      expect(apiBehavior.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
      expect(JSON.stringify(origin(apiBehavior.TargetOriginId)?.DomainName)).toContain('HttpApi');
      expect(origin(apiBehavior.TargetOriginId)?.CustomOriginConfig).toMatchObject({
        OriginProtocolPolicy: 'https-only',
      });
    },
  );

  it('never caches a member page: caching disabled, the cookie forwarded, private no-store and noindex', () => {
    const members = behavior(MEMBERS_PATH_PATTERN);
    // CachingDisabled: TTL 0 and nothing in the cache key, so no reader's page is ever served to another.
    expect(members.CachePolicyId).toBe(CACHING_DISABLED);
    // AllViewerExceptHostHeader forwards every cookie, so the session reaches the members function.
    expect(members.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(members.TargetOriginId).toBe(behavior('/api/*').TargetOriginId);
    expect(members.ResponseHeadersPolicyId).toEqual(behavior('/feeds/private/*').ResponseHeadersPolicyId);
    expect(PRIVATE_FEED_HEADERS).toEqual({ 'cache-control': 'private, no-store', 'x-robots-tag': 'noindex' });
    expect(members.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/MemberPathRewrite/), 'FunctionARN'] },
      },
    ]);
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: MEMBER_PATH_REWRITE_CODE,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
  });

  it('matches /feeds/private/* before /feeds/*', () => {
    const patterns = config.CacheBehaviors.map((candidate) => candidate.PathPattern);
    expect(patterns.indexOf('/feeds/private/*')).toBeLessThan(patterns.indexOf('/feeds/*'));
  });

  it('serves public feeds and the site from the bucket through OAC, honouring origin Cache-Control', () => {
    const feeds = behavior('/feeds/*');
    expect(feeds.TargetOriginId).toBe(config.DefaultCacheBehavior.TargetOriginId);
    expect(feeds.AllowedMethods).toEqual(['GET', 'HEAD']);
    const siteOrigin = origin(config.DefaultCacheBehavior.TargetOriginId);
    expect(siteOrigin).toMatchObject({
      S3OriginConfig: { OriginAccessIdentity: '' },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl|S3Origin/), 'Id'] },
    });
    expect(JSON.stringify(siteOrigin?.DomainName)).toContain('SiteBucket');
    expect(JSON.stringify(config)).not.toContain('VaultBucket');
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        DefaultTTL: 60,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        }),
      }),
    });
    expect(feeds.CachePolicyId).toEqual(config.DefaultCacheBehavior.CachePolicyId);
  });

  it('serves uploaded images from the site bucket under /media/*, cached up to a year, uncompressed, GET/HEAD only', () => {
    const media = behavior(MEDIA_PATH_PATTERN);
    expect(media).toMatchObject({
      TargetOriginId: config.DefaultCacheBehavior.TargetOriginId,
      AllowedMethods: ['GET', 'HEAD'],
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: false,
      ResponseHeadersPolicyId: { Ref: expect.stringMatching(/SecurityHeaders/) },
    });
    expect(media.FunctionAssociations).toBeUndefined();
    const policyId = (media.CachePolicyId as { Ref: string }).Ref;
    expect(policyId).toMatch(/MediaCache/);
    expect(template.findResources('AWS::CloudFront::CachePolicy')[policyId]).toMatchObject({
      Properties: {
        CachePolicyConfig: {
          MinTTL: 0,
          DefaultTTL: 365 * 24 * 60 * 60,
          MaxTTL: 365 * 24 * 60 * 60,
          ParametersInCacheKeyAndForwardedToOrigin: {
            HeadersConfig: { HeaderBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'none' },
            CookiesConfig: { CookieBehavior: 'none' },
          },
        },
      },
    });
    // The site's own cache policy keeps its one-day ceiling: only content-addressed uploads are kept longer.
    expect(config.DefaultCacheBehavior.CachePolicyId).not.toEqual(media.CachePolicyId);
  });

  it('uses index.html as root object and rewrites report directories on viewer request', () => {
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/ReportIndexRewrite/), 'FunctionARN'] },
      },
    ]);
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: REPORT_INDEX_REWRITE_CODE,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
  });

  // Issue 9, finding 6 (the local gateway read the vault through `/..%2Fdispatch-vault%2F…`). On AWS the bucket
  // is never chosen by the path: the site origin is the bucket's own virtual-hosted name, with no origin path,
  // so whatever the URI says is a key inside the site bucket; and the vault grants CloudFront nothing
  // (stateful-stack.test.ts). These pin both halves of that.
  it('addresses the site bucket by its own host name, so no path can name another bucket', () => {
    const siteOrigin = origin(config.DefaultCacheBehavior.TargetOriginId) as Record<string, unknown> | undefined;
    expect(JSON.stringify(siteOrigin?.DomainName)).toMatch(/SiteBucket\w*RegionalDomainName/);
    expect(siteOrigin?.OriginPath ?? '').toBe('');
    expect(config.CacheBehaviors.filter((candidate) => candidate.TargetOriginId === siteOrigin?.Id)).toEqual([
      behavior(PUBLIC_FEEDS_PATH_PATTERN),
      behavior(MEDIA_PATH_PATTERN),
      behavior(CONSOLE_PATH_PATTERN),
    ]);
  });

  it('adds the shared security headers to every behaviour, overriding whatever an origin says', () => {
    const policy = new Capture();
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        Comment: 'Dispatch security headers',
        SecurityHeadersConfig: policy,
      }),
    });
    expect(policy.asObject()).toEqual({
      ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
    });
    for (const candidate of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(candidate.ResponseHeadersPolicyId).toEqual({
        Ref: expect.stringMatching(/(SecurityHeaders|PrivateFeedHeaders|ConsoleHeaders)/),
      });
    }
  });

  it('gives private feeds the same security headers plus no-store and noindex', () => {
    const privateFeed = behavior('/feeds/private/*');
    const id = (privateFeed.ResponseHeadersPolicyId as { Ref: string }).Ref;
    expect(id).toMatch(/PrivateFeedHeaders/);
    const resource = template.findResources('AWS::CloudFront::ResponseHeadersPolicy')[id] as {
      Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: unknown; CustomHeadersConfig: unknown } };
    };
    const shared = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy')).find(
      (candidate) =>
        (candidate as { Properties: { ResponseHeadersPolicyConfig: { Comment: string } } }).Properties
          .ResponseHeadersPolicyConfig.Comment === 'Dispatch security headers',
    ) as { Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: unknown } } };
    expect(resource.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig).toEqual(
      shared.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig,
    );
    expect(resource.Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig).toEqual({
      Items: [
        { Header: 'Cache-Control', Value: PRIVATE_FEED_HEADERS['cache-control'], Override: true },
        { Header: 'X-Robots-Tag', Value: PRIVATE_FEED_HEADERS['x-robots-tag'], Override: true },
      ],
    });
    expect(behavior('/api/*').ResponseHeadersPolicyId).toEqual({ Ref: expect.stringMatching(/SecurityHeaders/) });
  });
});

describe('report index rewrite function', () => {
  const run = (uri: string): { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> } => {
    const sandbox: { handler?: (event: unknown) => never } = {};
    runInNewContext(`${REPORT_INDEX_REWRITE_CODE}\nthis.handler = handler;`, sandbox);
    if (sandbox.handler === undefined) throw new Error('no handler');
    return sandbox.handler({ request: { uri, method: 'GET', headers: {} } });
  };

  it('maps /reports/{slug}/ to its index.html', () => {
    expect(run('/reports/grid-outage-2025/').uri).toBe('/reports/grid-outage-2025/index.html');
  });

  it('redirects /reports/{slug} to the trailing-slash URL', () => {
    const response = run('/reports/grid-outage-2025');
    expect(response.statusCode).toBe(301);
    expect(response.headers?.location?.value).toBe('/reports/grid-outage-2025/');
  });

  it('maps /series/{id}/ to its index.html and redirects /series/{id} to it', () => {
    expect(run('/series/grid-watch/').uri).toBe('/series/grid-watch/index.html');
    const response = run('/series/grid-watch');
    expect(response.statusCode).toBe(301);
    expect(response.headers?.location?.value).toBe('/series/grid-watch/');
  });

  it('maps /editions/{id}/ and /editions/ to their index.html and redirects the slashless forms', () => {
    expect(run('/editions/01JD5Q8Z3N4M5P6Q7R8S9T0V1W/').uri).toBe('/editions/01JD5Q8Z3N4M5P6Q7R8S9T0V1W/index.html');
    expect(run('/editions/').uri).toBe('/editions/index.html');
    for (const uri of ['/editions/01JD5Q8Z3N4M5P6Q7R8S9T0V1W', '/editions']) {
      const response = run(uri);
      expect(response.statusCode).toBe(301);
      expect(response.headers?.location?.value).toBe(`${uri}/`);
    }
  });

  it.each(['/editions/a/extra/', '/editions/index.html', '/editionsx/a/'])('leaves %s alone', (uri) => {
    expect(run(uri).uri).toBe(uri);
  });

  it.each(['/series/', '/series/grid-watch/extra/', '/feeds/series/grid-watch/rss.xml', '/seriesx/a/'])(
    'leaves %s alone',
    (uri) => {
      expect(run(uri).uri).toBe(uri);
    },
  );

  it.each(['/', '/feeds/rss.xml', '/reports/grid-outage-2025/lead.jpg', '/index.html'])('leaves %s alone', (uri) => {
    expect(run(uri).uri).toBe(uri);
  });

  // CloudFront forwards the raw, still-encoded URI to S3 and S3 takes it as a literal key in the site bucket. The
  // function must not change that: no decoding, no path resolution, only `index.html` appended or a same-site
  // redirect, so a traversal spelling stays a missing key in the site bucket (403/404), never a vault object.
  it('never decodes or resolves the URI', () => {
    expect(REPORT_INDEX_REWRITE_CODE).not.toMatch(/decodeURI|unescape|normalize/);
  });

  it.each([
    '/..%2Fdispatch-vault%2Fprivate-feeds%2Frss.xml',
    '/reports/..%2F..%2Fdispatch-vault%2Fpaid%2Fx.json/',
    '/reports/%2e%2e/',
    '/reports/../',
    '/reports/..%5Cdispatch-vault/',
    '/reports/%252F..%252F/',
    '/reports/x%00/',
    '/feeds/..%2F..%2Fdispatch-vault%2Fprivate-feeds%2Frss.xml',
  ])('passes %s through still encoded', (uri) => {
    const result = run(uri);
    expect([uri, `${uri}index.html`]).toContain(result.uri);
  });

  it.each(['/reports/%2F%2Fevil', '/reports/%5C%5Cevil', '/reports/%2e%2e%2fapi'])(
    'redirects %s only within the site',
    (uri) => {
      const response = run(uri);
      expect(response.statusCode).toBe(301);
      expect(response.headers?.location?.value).toBe(`${uri}/`);
      expect(response.headers?.location?.value.startsWith('/reports/')).toBe(true);
    },
  );
});

describe('member path rewrite function', () => {
  type Result = { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> };
  const run = (uri: string, querystring: Record<string, { value: string; multiValue?: { value: string }[] }> = {}) => {
    const sandbox: { handler?: (event: unknown) => Result } = {};
    runInNewContext(`${MEMBER_PATH_REWRITE_CODE}\nthis.handler = handler;`, sandbox);
    if (sandbox.handler === undefined) throw new Error('no handler');
    return sandbox.handler({ request: { uri, method: 'GET', headers: {}, querystring } });
  };

  it.each([
    ['/members/reports/grid-outage-2025/', '/members/reports/grid-outage-2025'],
    ['/members/editions/01JD8Z4X7RGQ2W3E4R5T6Y7V8J/', '/members/editions/01JD8Z4X7RGQ2W3E4R5T6Y7V8J'],
    ['/members/sign-in/', '/members/sign-in'],
  ])('strips the trailing slash of %s for the API', (uri, routed) => {
    expect(run(uri).uri).toBe(routed);
  });

  it('redirects the slash-less form to the page, keeping the query, never cached', () => {
    const response = run('/members/sign-in', { next: { value: '/members/reports/a/' } });
    expect(response.statusCode).toBe(301);
    expect(response.headers?.location?.value).toBe('/members/sign-in/?next=%2Fmembers%2Freports%2Fa%2F');
    expect(response.headers?.['cache-control']?.value).toBe('private, no-store');
    expect(run('/members/reports/a').headers?.location?.value).toBe('/members/reports/a/');
  });

  it('keeps a repeated query parameter and encodes what could split the header', () => {
    const response = run('/members/sign-in', {
      next: { value: '/a', multiValue: [{ value: '/a' }, { value: '/b\r\nSet-Cookie: x=1' }] },
    });
    expect(response.headers?.location?.value).toBe('/members/sign-in/?next=%2Fa&next=%2Fb%0D%0ASet-Cookie%3A%20x%3D1');
  });

  it.each(['/members/', '/members/reports/', '/members/reports/a/b/', '/members/reports/%2F%2Fevil/', '/members/x'])(
    'leaves %s alone (the API answers it)',
    (uri) => {
      expect(run(uri).uri).toBe(uri);
    },
  );
});
