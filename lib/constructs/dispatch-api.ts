import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnStage,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionName, type RouteDefinition, routeKey } from '../../lambdas/routes';

export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface DispatchApiProps {
  /** The routes to serve; `lambdas/routes.ts` is the single list. */
  readonly routes: readonly RouteDefinition[];
  /** The function serving each route's `fn`. */
  readonly handlerFor: (fn: FunctionName) => IFunction;
  /** The Lambda authorizer for `editor` and `admin` routes; it checks the role against `routeKey` itself. */
  readonly authorizerFunction: IFunction;
  /**
   * Stage-wide throttling.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: ThrottleLimits;
  /**
   * Tighter limits for routes anyone can call that cause work elsewhere (e.g. a confirmation mail).
   * @default { 'POST /api/subscribers': { rateLimit: 2, burstLimit: 5 } }
   */
  readonly routeThrottles?: Readonly<Record<string, ThrottleLimits>>;
  /**
   * Access log retention.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: RetentionDays;
}

const METHODS: Readonly<Record<RouteDefinition['method'], HttpMethod>> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  DELETE: HttpMethod.DELETE,
};

/** PascalCase construct id from a route key: `GET /api/reports/{id}` → `GetApiReportsId`. */
export function routeConstructId(route: RouteDefinition): string {
  return routeKey(route)
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join('');
}

/**
 * The HTTP API: one route per entry of `lambdas/routes.ts`, the one Lambda authorizer on every non-public route
 * (simple responses, Authorization header, no result caching so a revoked token stops working at once), a
 * `$default` stage with throttling and JSON access logs. Access logs record the route key, never the raw path:
 * private feed paths carry the subscriber's token.
 */
export class DispatchApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly authorizer: HttpLambdaAuthorizer;
  public readonly accessLogGroup: LogGroup;
  public readonly routes: ReadonlyMap<string, HttpRoute>;

  constructor(scope: Construct, id: string, props: DispatchApiProps) {
    super(scope, id);
    const keys = props.routes.map(routeKey);
    const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
    if (duplicate !== undefined) throw new Error(`Route ${duplicate} is defined twice`);
    const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    const routeThrottles = props.routeThrottles ?? { 'POST /api/subscribers': { rateLimit: 2, burstLimit: 5 } };
    for (const key of Object.keys(routeThrottles)) {
      if (!keys.includes(key)) throw new Error(`Route throttle for unknown route ${key}`);
    }

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Dispatch API (editors, reports, subscribers, digests, private feeds)',
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      Object.entries(routeThrottles).map(([key, limits]) => [
        key,
        { throttlingRateLimit: limits.rateLimit, throttlingBurstLimit: limits.burstLimit },
      ]),
    );

    this.authorizer = new HttpLambdaAuthorizer('EditorTokenAuthorizer', props.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(0),
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (fn: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(fn);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(`${fn}-integration`, props.handlerFor(fn));
        integrations.set(fn, integration);
      }
      return integration;
    };

    const routes = new Map<string, HttpRoute>();
    for (const route of props.routes) {
      const httpRoute = new HttpRoute(this, routeConstructId(route), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, METHODS[route.method]),
        integration: integrationFor(route.fn),
        authorizer: route.access === 'public' ? undefined : this.authorizer,
      });
      if (route.access === 'public') {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: publicRouteReason(route),
        });
      }
      routes.set(routeKey(route), httpRoute);
    }
    this.routes = routes;
  }
}

function publicRouteReason(route: RouteDefinition): string {
  if (route.fn === 'private-feed') {
    return 'The unguessable HMAC token in the path is the credential: feed readers cannot send an Authorization header.';
  }
  if (route.fn === 'health') return 'Health check for monitors; returns no data.';
  return `Public by the product contract (brief §4): ${routeKey(route)} is used by readers without an account; it answers uniformly so it cannot be used to probe accounts.`;
}
