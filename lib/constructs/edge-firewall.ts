import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { RATE_LIMITED_BODY, routeKey, type RouteDefinition } from '../../lambdas/routes';

export interface EdgeFirewallProps {
  /** The routes; each one with a `clientRateLimit` gets a rate-based rule. */
  readonly routes: readonly RouteDefinition[];
}

const RATE_LIMITED_BODY_KEY = 'rate-limited';

/**
 * The web ACL on the CloudFront distribution. WAFv2 cannot attach to an API Gateway HTTP API (REST APIs, ALBs,
 * AppSync and CloudFront only), so the per-client limits of `lambdas/routes.ts` are enforced here, on the one
 * public entry point: a rate-based rule per limited route, keyed by client IP, answering 429 with Retry-After and
 * the same JSON body the local gateway sends. CloudFront web ACLs must live in us-east-1 (scope CLOUDFRONT).
 *
 * Sampled requests are off: they record request URIs, and private feed URIs carry the subscriber's token.
 */
export class EdgeFirewall extends Construct {
  public readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    const limited = props.routes.filter((route) => route.clientRateLimit !== undefined);
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      description: 'Dispatch edge: per-client rate limits on public routes that cause work, from lambdas/routes.ts',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('DispatchEdge'),
      customResponseBodies: {
        [RATE_LIMITED_BODY_KEY]: { contentType: 'APPLICATION_JSON', content: JSON.stringify(RATE_LIMITED_BODY) },
      },
      rules: limited.map((route, index) => rateRule(route, index)),
    });
  }
}

function rateRule(route: RouteDefinition, priority: number): CfnWebACL.RuleProperty {
  const limit = route.clientRateLimit;
  if (limit === undefined) throw new Error(`${routeKey(route)} has no clientRateLimit`);
  if (![60, 120, 300, 600].includes(limit.windowSeconds)) {
    throw new Error(`${routeKey(route)}: WAF rate windows are 60, 120, 300 or 600 s, not ${limit.windowSeconds}`);
  }
  if (limit.requests < 10) throw new Error(`${routeKey(route)}: WAF rate limits start at 10 requests`);
  const name = `RateLimit-${routeKey(route)
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/-+$/, '')}`;
  return {
    name,
    priority,
    action: {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: RATE_LIMITED_BODY_KEY,
          // WAF cannot tell the seconds left in its window; the whole window is the honest upper bound.
          responseHeaders: [{ name: 'Retry-After', value: String(limit.windowSeconds) }],
        },
      },
    },
    statement: {
      rateBasedStatement: {
        limit: limit.requests,
        evaluationWindowSec: limit.windowSeconds,
        aggregateKeyType: 'IP',
        scopeDownStatement: {
          andStatement: { statements: [methodIs(route.method), pathIs(route.path)] },
        },
      },
    },
    visibilityConfig: visibility(name),
  };
}

function methodIs(method: string): CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { method: {} },
      positionalConstraint: 'EXACTLY',
      searchString: method,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

/**
 * A literal path matches exactly; `{name}` segments match one path segment. Matched after URL decoding, so
 * `/api/%73ubscribers` counts as `/api/subscribers`.
 */
function pathIs(path: string): CfnWebACL.StatementProperty {
  if (!path.includes('{')) {
    return {
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'EXACTLY',
        searchString: path,
        textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
      },
    };
  }
  const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
  return {
    regexMatchStatement: {
      fieldToMatch: { uriPath: {} },
      regexString: `^${pattern}$`,
      textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
    },
  };
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false };
}
