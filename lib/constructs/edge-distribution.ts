import { Duration, Fn, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  Distribution,
  type BehaviorOptions,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  Function as CloudFrontFunction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  type ResponseSecurityHeadersBehavior,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  CONSOLE_DEFAULT_CACHE_CONTROL,
  consoleContentSecurityPolicy,
  PRIVATE_FEED_HEADERS,
  SECURITY_HEADERS,
} from '../../lambdas/http/security-headers';
import { MEMBER_PATH_REWRITE_CODE } from '../edge/member-path-rewrite';
import { REPORT_INDEX_REWRITE_CODE } from '../edge/report-index-rewrite';

export interface EdgeDistributionProps {
  /** Public files: feeds, report pages, archive. Reached through Origin Access Control only. */
  readonly siteBucket: IBucket;
  /** The HTTP API behind `/api/*`, `/feeds/private/*` and `/members/*`. */
  readonly httpApi: IHttpApi;
  /**
   * Upper bound for how long CloudFront keeps a site object when the origin's Cache-Control allows more.
   * @default Duration.days(1)
   */
  readonly maxTtl?: Duration;
  /**
   * ARN of the CLOUDFRONT-scope web ACL (`EdgeFirewall`) that enforces per-client rate limits.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
}

/** Paths served by the HTTP API, never cached: editor calls, subscriber pages, private feeds (token in path). */
export const PRIVATE_FEEDS_PATH_PATTERN = '/feeds/private/*';
export const API_PATH_PATTERNS = ['/api/*', PRIVATE_FEEDS_PATH_PATTERN] as const;
/**
 * Member pages (`/members/reports/{slug}/`, `/members/editions/{id}/`, `/members/sign-in/`): served by the members
 * function, never cached, the session cookie forwarded. A Lambda route rather than signed cookies on vault objects:
 * a session must be revocable per reader by a version checked at use (logout, a downgrade), which CloudFront cannot do.
 */
export const MEMBERS_PATH_PATTERN = '/members/*';
/** Public feeds from the site bucket, cached as long as the origin's Cache-Control says. */
export const PUBLIC_FEEDS_PATH_PATTERN = '/feeds/*';
/** Uploaded images (`media/<sha256>.<ext>`): content-addressed, so never changed, so cached for a year. */
export const MEDIA_PATH_PATTERN = '/media/*';
/** How long CloudFront keeps a media object: a name is a hash, so its bytes never change. */
export const MEDIA_TTL = Duration.days(365);
/** The editor console's static files in the site bucket (`console/`), with a CSP of their own. */
export const CONSOLE_PATH_PATTERN = '/console/*';

/**
 * The one public entry point: the site bucket by default, the API for `/api/*` and `/feeds/private/*`, the
 * editor console's files (`/console/*`, also from the site bucket) with a policy of their own. Caching honours the
 * Cache-Control each object carries (feeds and pages set their own), security headers on every response, and a
 * viewer-request function that maps `/reports/{slug}/`, `/series/{id}/`, `/editions/{id}/`, `/editions/` and
 * `/console/` to their index.html.
 */
export class EdgeDistribution extends Construct {
  public readonly distribution: Distribution;
  public readonly responseHeadersPolicy: ResponseHeadersPolicy;
  /**
   * The security headers plus `Cache-Control: private, no-store` and `X-Robots-Tag: noindex`: private feeds and
   * member pages.
   */
  public readonly privateFeedHeadersPolicy: ResponseHeadersPolicy;
  /** The security headers with the console's CSP, and `Cache-Control: no-store` unless the object names its own. */
  public readonly consoleHeadersPolicy: ResponseHeadersPolicy;
  public readonly originCacheControlPolicy: CachePolicy;
  /** Uploaded images: a year at the edge, whatever the site's `maxTtl`. */
  public readonly mediaCachePolicy: CachePolicy;
  public readonly reportIndexRewrite: CloudFrontFunction;
  /** `/members/*`: strips a member page's trailing slash for the API, 301s the slash-less form to it. */
  public readonly memberPathRewrite: CloudFrontFunction;

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);

    // One definition of the values (`lambdas/http/security-headers.ts`); the local gateway sends the same.
    const hsts = SECURITY_HEADERS.strictTransportSecurity;
    const referrerPolicy = Object.values(HeadersReferrerPolicy).find(
      (value) => value === SECURITY_HEADERS.referrerPolicy,
    );
    if (referrerPolicy === undefined)
      throw new Error(`CloudFront has no referrer policy ${SECURITY_HEADERS.referrerPolicy}`);
    const securityHeadersBehavior: ResponseSecurityHeadersBehavior = {
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(hsts.maxAgeSeconds),
        includeSubdomains: hsts.includeSubdomains,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption[SECURITY_HEADERS.frameOptions], override: true },
      referrerPolicy: { referrerPolicy, override: true },
      contentSecurityPolicy: { contentSecurityPolicy: SECURITY_HEADERS.contentSecurityPolicy, override: true },
    };
    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Dispatch security headers',
      securityHeadersBehavior,
    });
    this.privateFeedHeadersPolicy = new ResponseHeadersPolicy(this, 'PrivateFeedHeaders', {
      comment: 'Dispatch security headers; private feeds and member pages are never stored by a cache nor indexed',
      securityHeadersBehavior,
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cache-Control', value: PRIVATE_FEED_HEADERS['cache-control'], override: true },
          { header: 'X-Robots-Tag', value: PRIVATE_FEED_HEADERS['x-robots-tag'], override: true },
        ],
      },
    });

    this.consoleHeadersPolicy = new ResponseHeadersPolicy(this, 'ConsoleHeaders', {
      comment: 'Dispatch console: security headers with a script CSP; the shell is never cached',
      securityHeadersBehavior: {
        ...securityHeadersBehavior,
        contentSecurityPolicy: {
          // Image uploads PUT to a presigned URL on the site bucket's own regional host.
          contentSecurityPolicy: consoleContentSecurityPolicy(`https://${props.siteBucket.bucketRegionalDomainName}`),
          override: true,
        },
      },
      customHeadersBehavior: {
        // Not overriding: content-hashed assets carry their own immutable Cache-Control; the shell carries none
        // but `no-store` either way.
        customHeaders: [{ header: 'Cache-Control', value: CONSOLE_DEFAULT_CACHE_CONTROL, override: false }],
      },
    });

    this.originCacheControlPolicy = new CachePolicy(this, 'OriginCacheControl', {
      comment: 'Honour the Cache-Control of each object; 60 s when an object has none',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(60),
      maxTtl: props.maxTtl ?? Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    this.mediaCachePolicy = new CachePolicy(this, 'MediaCache', {
      comment: 'Content-addressed uploads never change: up to a year, as their Cache-Control says',
      // Not forced: an object's own Cache-Control (signed into every upload) still decides, down to 0.
      minTtl: Duration.seconds(0),
      defaultTtl: MEDIA_TTL,
      maxTtl: MEDIA_TTL,
    });

    this.reportIndexRewrite = new CloudFrontFunction(this, 'ReportIndexRewrite', {
      comment: 'Rewrite report, series and edition pages and /console/ to their index.html',
      code: FunctionCode.fromInline(REPORT_INDEX_REWRITE_CODE),
      runtime: FunctionRuntime.JS_2_0,
    });

    this.memberPathRewrite = new CloudFrontFunction(this, 'MemberPathRewrite', {
      comment: 'Strip the trailing slash of /members/ pages for the API; redirect the slash-less form',
      code: FunctionCode.fromInline(MEMBER_PATH_REWRITE_CODE),
      runtime: FunctionRuntime.JS_2_0,
    });

    const siteOrigin = S3BucketOrigin.withOriginAccessControl(props.siteBucket);
    const apiOrigin = new HttpOrigin(Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });

    const apiBehavior: BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
    };
    const siteBehavior = {
      origin: siteOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      cachePolicy: this.originCacheControlPolicy,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    } satisfies BehaviorOptions;

    const indexRewrite = [{ function: this.reportIndexRewrite, eventType: FunctionEventType.VIEWER_REQUEST }];
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Dispatch: site, public feeds, API, private feeds and member pages',
      webAclId: props.webAclArn,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: { ...siteBehavior, functionAssociations: indexRewrite },
      // Order matters: CloudFront takes the first match, so /feeds/private/* must precede /feeds/*.
      additionalBehaviors: {
        ...Object.fromEntries(
          API_PATH_PATTERNS.map((pattern) => [
            pattern,
            pattern === PRIVATE_FEEDS_PATH_PATTERN
              ? { ...apiBehavior, responseHeadersPolicy: this.privateFeedHeadersPolicy }
              : apiBehavior,
          ]),
        ),
        // Caching disabled and every viewer header but Host forwarded (the cookie too), as for the API.
        [MEMBERS_PATH_PATTERN]: {
          ...apiBehavior,
          responseHeadersPolicy: this.privateFeedHeadersPolicy,
          functionAssociations: [{ function: this.memberPathRewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
        },
        [PUBLIC_FEEDS_PATH_PATTERN]: siteBehavior,
        // Images are compressed already; no report-index rewrite applies under /media/.
        [MEDIA_PATH_PATTERN]: { ...siteBehavior, cachePolicy: this.mediaCachePolicy, compress: false },
        [CONSOLE_PATH_PATTERN]: {
          ...siteBehavior,
          responseHeadersPolicy: this.consoleHeadersPolicy,
          functionAssociations: indexRewrite,
        },
      },
    });

    Validations.of(this.distribution).acknowledge(
      {
        id: 'Annotation::@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
        reason:
          "Intended: the site bucket's own stack grants CloudFront (OAC, this account's distributions) read access, so this stack never edits the bucket policy and no cross-stack cycle arises.",
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'No CloudFront access logs: request URIs of /feeds/private/{token}/ carry the paid subscriber credential. API access logs record route keys instead; CloudFront metrics cover traffic.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Served on the default *.cloudfront.net certificate, whose TLS floor CloudFront fixes; attaching the custom domain with an ACM certificate applies the TLSv1.2_2021 policy (feature flag set in cdk.json).',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Public research reports and feeds are meant for readers in every country; no geo restriction.',
      },
    );
    if (props.webAclArn === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'Built without a web ACL on request (tests of the distribution alone); the app always attaches one.',
      });
    }
  }
}
