import { randomUUID } from 'node:crypto';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEventV2,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSEvent,
} from 'aws-lambda';
import type { QueueDefinition } from '../../lambdas/adapters/data-model';
import { cookiesApart } from '../../local/api/lambda-events';
import { sqsEventOf } from '../../local/delivery';
import type { QueueEntry } from '../../local/durable-queue';
import type { QueuedMessage } from '../../local/sqs-endpoint';
import { LOCAL_ACCOUNT, LOCAL_REGION, localQueueArn } from './local-resources';

/**
 * Events of each trigger's shape, as the AWS service that owns the trigger delivers them: HTTP API payload 2.0
 * (route and REQUEST authorizer), SQS and DynamoDB Streams event source mappings, EventBridge Scheduler input.
 * (SNS events for the SES feedback topic come from `local/ses-feedback-poller.ts`.)
 */

/** One HTTP request as API Gateway sees it, after route selection. */
export interface ApiRequest {
  readonly method: string;
  readonly routeKey: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased names, as HTTP APIs pass them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

const API_ID = 'verify';

function requestContext(request: ApiRequest): APIGatewayEventRequestContextV2 {
  const now = new Date();
  return {
    accountId: LOCAL_ACCOUNT,
    apiId: API_ID,
    domainName: `${API_ID}.execute-api.${LOCAL_REGION}.amazonaws.com`,
    domainPrefix: API_ID,
    http: {
      method: request.method,
      path: request.path,
      protocol: 'HTTP/1.1',
      sourceIp: '192.0.2.10',
      userAgent: request.headers['user-agent'] ?? 'dispatch-verify-bundles',
    },
    requestId: randomUUID(),
    routeKey: request.routeKey,
    stage: '$default',
    time: now.toUTCString(),
    timeEpoch: now.getTime(),
  };
}

/** Repeated query parameters are joined with commas in payload 2.0. */
function queryParameters(query: URLSearchParams): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [name, value] of query)
    parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

export function authorizerEvent(request: ApiRequest, identity: string): APIGatewayRequestAuthorizerEventV2 {
  const [method, ...pathParts] = request.routeKey.split(' ');
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${API_ID}/$default/${method}${pathParts.join(' ')}`,
    identitySource: [identity],
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: request.query.toString(),
    cookies: [],
    headers: { ...request.headers },
    queryStringParameters: queryParameters(request.query) ?? {},
    requestContext: requestContext(request),
    pathParameters: { ...request.pathParameters },
    stageVariables: {},
  };
}

/** The route's event; `authorizerContext` is what the authorizer's simple response put in `context`. */
export function routeEvent(
  request: ApiRequest,
  authorizerContext: Record<string, unknown> | undefined,
): APIGatewayProxyEventV2 {
  const queryStringParameters = queryParameters(request.query);
  const context = requestContext(request);
  const { headers, cookies } = cookiesApart(request.headers);
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: request.query.toString(),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(Object.keys(request.pathParameters).length > 0 ? { pathParameters: { ...request.pathParameters } } : {}),
    requestContext: {
      ...context,
      ...(authorizerContext ? { authorizer: { lambda: authorizerContext } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(request.body !== undefined ? { body: request.body } : {}),
    isBase64Encoded: false,
  };
}

export function sqsEvent(entries: readonly QueueEntry<QueuedMessage>[], queue: QueueDefinition): SQSEvent {
  return sqsEventOf(entries, { queueArn: localQueueArn(queue), senderId: LOCAL_ACCOUNT, region: LOCAL_REGION });
}

/** The stream proxy journals records in the shape DynamoDB Streams delivers; a batch is a run of them. */
export function streamEvent(entries: readonly QueueEntry<DynamoDBRecord>[]): DynamoDBStreamEvent {
  return { Records: entries.map((entry) => entry.body) };
}

/**
 * A schedule's `Target.Input` as EventBridge Scheduler sends it: its context attributes filled in (the scheduled
 * time without milliseconds, as Scheduler writes it). Any other placeholder fails: the verifier does not guess.
 */
export function schedulerInput(input: string, scheduledTime: Date, scheduleArn: string): string {
  const attributes: Readonly<Record<string, string>> = {
    'scheduled-time': scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'schedule-arn': scheduleArn,
    'execution-id': randomUUID(),
    'attempt-number': '1',
  };
  return input.replace(/<aws\.scheduler\.([\w-]+)>/g, (placeholder, name: string) => {
    const value = attributes[name];
    if (value === undefined) throw new Error(`Unknown Scheduler context attribute ${placeholder}`);
    return value;
  });
}
