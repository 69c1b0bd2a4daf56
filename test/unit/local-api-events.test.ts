import type { APIGatewayEventRequestContextV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { rawBodyBytes, type ApiEvent } from '../../lambdas/http/api';
import { type ApiRequest, proxyEvent } from '../../local/api/lambda-events';
import type { RouteMatch } from '../../local/api/route-table';

const request: ApiRequest = {
  match: {
    route: { key: 'POST /api/billing/stripe', route: { method: 'POST', path: '/api/billing/stripe' } },
    pathParameters: {},
  } as unknown as RouteMatch,
  url: new URL('http://127.0.0.1/api/billing/stripe'),
  headers: {},
  queryStringParameters: {},
  requestContext: { requestId: 'r1' } as APIGatewayEventRequestContextV2,
};

describe('the local HTTP API body, as API Gateway passes it', () => {
  it('passes UTF-8 text as a string, and a handler reads back the very bytes', () => {
    const sent = Buffer.from('{"name":"Zoë — Ωmega 🚀"}', 'utf8');
    const event = proxyEvent(request, sent, undefined);
    expect(event).toMatchObject({ body: sent.toString('utf8'), isBase64Encoded: false });
    expect(rawBodyBytes(event as ApiEvent).equals(sent)).toBe(true);
  });

  it('base64-encodes bytes that are not UTF-8, so a signature over them still checks out', () => {
    const sent = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);
    const event = proxyEvent(request, sent, undefined);
    expect(event).toMatchObject({ body: sent.toString('base64'), isBase64Encoded: true });
    expect(rawBodyBytes(event as ApiEvent).equals(sent)).toBe(true);
  });

  it('passes no body for an empty one', () => {
    const event = proxyEvent(request, Buffer.alloc(0), undefined);
    expect(event.body).toBeUndefined();
    expect(rawBodyBytes(event as ApiEvent)).toHaveLength(0);
  });
});
