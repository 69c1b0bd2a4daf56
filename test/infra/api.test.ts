import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../lambdas/routes';
import { synthDispatch } from './dispatch-app';

interface RouteProperties {
  RouteKey: string;
  AuthorizationType: string;
  AuthorizerId?: { Ref: string };
  Target: unknown;
}

describe('HTTP API', () => {
  let template: Template;
  let routes: Map<string, RouteProperties>;
  beforeAll(() => {
    template = synthDispatch().statelessTemplate;
    routes = new Map(
      Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => {
        const properties = route.Properties as RouteProperties;
        return [properties.RouteKey, properties];
      }),
    );
  });

  it('serves exactly the routes of lambdas/routes.ts', () => {
    expect([...routes.keys()].sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each([
    'GET /api/editors',
    'POST /api/editors',
    'DELETE /api/editors/{id}',
    'POST /api/reports',
    'GET /api/reports',
    'GET /api/reports/{id}',
    'PUT /api/reports/{id}',
    'DELETE /api/reports/{id}',
    'GET /api/subscribers',
    'PUT /api/subscribers/{email}',
    'GET /api/subscribers/{email}/feed-url',
    'POST /api/digests',
    'GET /api/digests',
    'POST /api/digests/test',
    'GET /api/digests/{id}',
    'GET /api/digests/preview',
    'POST /api/digests/preview-report',
  ])('%s goes through the one Lambda authorizer', (key) => {
    const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    expect(routes.get(key)).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
  });

  it.each([
    'GET /api/health',
    'POST /api/subscribers',
    'GET /api/subscribers/confirm',
    'GET /api/subscribers/manage',
    'POST /api/subscribers/manage',
    'GET /api/unsubscribe',
    'POST /api/unsubscribe',
    'GET /feeds/private/{token}/{file}',
    'POST /api/members/login',
    'GET /api/members/session',
    'POST /api/members/session',
    'POST /api/members/logout',
    'GET /members/sign-in',
    'GET /members/reports/{slug}',
    'GET /members/editions/{id}',
    // Stripe holds no editor token: the handler checks Stripe's signature instead.
    'POST /api/billing/stripe',
  ])('%s is public', (key) => {
    expect(routes.get(key)).toMatchObject({ AuthorizationType: 'NONE' });
    expect(routes.get(key)?.AuthorizerId).toBeUndefined();
  });

  it('has one REQUEST authorizer: simple responses, Authorization header, no cache', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthorizerFunction'), 'Arn'] }])],
      }),
    });
  });

  it('routes each path to the function named in lambdas/routes.ts', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    for (const route of ROUTES) {
      const target = JSON.stringify(routes.get(routeKey(route))?.Target);
      const integrationId =
        /"integrations\/","?\{"Ref":"(\w+)"\}/.exec(target)?.[1] ?? /\{"Ref":"(\w+)"\}/.exec(target)?.[1];
      const integration = integrations[integrationId ?? ''];
      const pascal = route.fn
        .split('-')
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join('');
      expect(JSON.stringify(integration?.Properties.IntegrationUri)).toContain(`${pascal}Function`);
    }
  });

  it('throttles the stage and, harder, the public subscribe route', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: { 'POST /api/subscribers': { throttlingRateLimit: 2, throttlingBurstLimit: 5 } },
    });
  });

  it('writes JSON access logs with the route key, never the raw path (private feed tokens)', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const settings = stage?.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'] });
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    expect(settings.Format).not.toContain('$context.path');
    expect(settings.Format).not.toContain('$context.resourcePath');
  });
});
