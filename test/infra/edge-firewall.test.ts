import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMITED_BODY, ROUTES } from '../../lambdas/routes';
import { buildApp } from '../../lib/build-app';
import { cdkJsonContext, INLINE_CODE, synthDispatch } from './dispatch-app';

const signUpLimit = ROUTES.find(
  (route) => route.method === 'POST' && route.path === '/api/subscribers',
)?.clientRateLimit;

describe('per-client rate limits at the edge', () => {
  let template: Template;
  beforeAll(() => {
    template = synthDispatch().statelessTemplate;
  });

  it('limits sign-ups to 30 a minute per client IP', () => {
    expect(signUpLimit).toEqual({ requests: 30, windowSeconds: 60 });
  });

  it('puts a CLOUDFRONT web ACL on the distribution (WAF cannot attach to an HTTP API)', () => {
    const acls = template.findResources('AWS::WAFv2::WebACL');
    expect(Object.keys(acls)).toHaveLength(1);
    const [aclId] = Object.keys(acls);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      VisibilityConfig: Match.objectLike({ SampledRequestsEnabled: false }),
    });
  });

  it('blocks a client past the limit on POST /api/subscribers with 429, Retry-After and our error body', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      CustomResponseBodies: {
        'rate-limited': { ContentType: 'APPLICATION_JSON', Content: JSON.stringify(RATE_LIMITED_BODY) },
      },
      Rules: Match.arrayWith([
        {
          Name: 'RateLimit-POST-api-subscribers',
          Priority: 0,
          Action: {
            Block: {
              CustomResponse: {
                ResponseCode: 429,
                CustomResponseBodyKey: 'rate-limited',
                ResponseHeaders: [{ Name: 'Retry-After', Value: '60' }],
              },
            },
          },
          Statement: {
            RateBasedStatement: {
              Limit: 30,
              EvaluationWindowSec: 60,
              AggregateKeyType: 'IP',
              ScopeDownStatement: {
                AndStatement: {
                  Statements: [
                    { ByteMatchStatement: Match.objectLike({ FieldToMatch: { Method: {} }, SearchString: 'POST' }) },
                    {
                      ByteMatchStatement: Match.objectLike({
                        FieldToMatch: { UriPath: {} },
                        PositionalConstraint: 'EXACTLY',
                        SearchString: '/api/subscribers',
                        TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
                      }),
                    },
                  ],
                },
              },
            },
          },
          // Sampled requests would record request URIs, and private feed URIs carry a subscriber's token.
          VisibilityConfig: Match.objectLike({ SampledRequestsEnabled: false }),
        },
      ]),
    });
  });

  it('limits test sends of the digest (each one a real SES call) to 10 a minute per client IP', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimit-POST-api-digests-test',
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: 10,
              EvaluationWindowSec: 60,
              AggregateKeyType: 'IP',
              ScopeDownStatement: {
                AndStatement: {
                  Statements: [
                    { ByteMatchStatement: Match.objectLike({ FieldToMatch: { Method: {} }, SearchString: 'POST' }) },
                    {
                      ByteMatchStatement: Match.objectLike({
                        FieldToMatch: { UriPath: {} },
                        PositionalConstraint: 'EXACTLY',
                        SearchString: '/api/digests/test',
                      }),
                    },
                  ],
                },
              },
            }),
          },
        }),
      ]),
    });
  });

  it('limits member logins (each one queues a sign-in mail) to 10 a minute per client IP', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimit-POST-api-members-login',
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: 10,
              EvaluationWindowSec: 60,
              AggregateKeyType: 'IP',
              ScopeDownStatement: {
                AndStatement: {
                  Statements: [
                    { ByteMatchStatement: Match.objectLike({ FieldToMatch: { Method: {} }, SearchString: 'POST' }) },
                    {
                      ByteMatchStatement: Match.objectLike({
                        FieldToMatch: { UriPath: {} },
                        PositionalConstraint: 'EXACTLY',
                        SearchString: '/api/members/login',
                      }),
                    },
                  ],
                },
              },
            }),
          },
        }),
      ]),
    });
  });

  it('keeps API Gateway route throttling on the sign-up route as the account-wide brake', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: { 'POST /api/subscribers': Match.objectLike({ throttlingRateLimit: 2, throttlingBurstLimit: 5 }) },
    });
  });
});

describe('a deployment outside us-east-1', () => {
  it('builds the web ACL in its own us-east-1 stack and attaches it across regions, with nothing for cdk-nag', () => {
    const dispatch = buildApp({
      context: cdkJsonContext(),
      codeOverride: INLINE_CODE,
      builtinCloudFormationValidation: false,
      env: { account: '111111111111', region: 'eu-west-1' },
    });
    expect(dispatch.edgeFirewall?.region).toBe('us-east-1');
    const firewall = Template.fromStack(dispatch.edgeFirewall as NonNullable<typeof dispatch.edgeFirewall>);
    firewall.resourceCountIs('AWS::WAFv2::WebACL', 1);
    const stateless = Template.fromStack(dispatch.stateless);
    stateless.resourceCountIs('AWS::WAFv2::WebACL', 0);
    stateless.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: Match.anyValue() }),
    });
    const { violations } = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(dispatch.app);
    expect(
      violations.map((violation) => `${violation.ruleName} ${violation.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
  });
});
