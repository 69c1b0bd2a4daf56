import { json, type ApiResult } from '../http/api';

/** Answers once the function can run at all; the gateway only routes here when the stack is up. */
export const handler = async (): Promise<ApiResult> => json(200, { status: 'ok' });
