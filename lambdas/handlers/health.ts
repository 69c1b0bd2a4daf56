import { json, type ApiResult } from '../http/api';
import { observed } from '../adapters/observability';

/** Answers once the function can run at all; the gateway only routes here when the stack is up. */
export const handler = observed(async (): Promise<ApiResult> => json(200, { status: 'ok' }));
