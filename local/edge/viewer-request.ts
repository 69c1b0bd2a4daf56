import { runInNewContext } from 'node:vm';
import { REPORT_INDEX_REWRITE_CODE } from '../../lib/edge/report-index-rewrite';

interface ViewerRequest {
  uri: string;
  method: string;
  headers: Record<string, { value: string }>;
}

/** What a CloudFront Function answers: the request to go on with, or a response of its own. */
type FunctionResult =
  ViewerRequest | { statusCode: number; statusDescription?: string; headers?: Record<string, { value: string }> };

export type ViewerRequestOutcome =
  { kind: 'forward'; uri: string } | { kind: 'respond'; status: number; headers: Record<string, string> };

/**
 * The site behaviour's viewer-request function, run from the very code CloudFront runs (evaluated once, in a
 * context of its own as cloudfront-js does), so the local edge cannot drift from its rule: `/reports/{slug}/`
 * gets `index.html`, `/reports/{slug}` a 301 to the trailing-slash URL.
 */
const handler = compile();

export function viewerRequest(uri: string, method: string): ViewerRequestOutcome {
  const result = handler({ request: { uri, method, headers: {} } });
  if ('statusCode' in result) {
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, { value }]) => [name, value]));
    return { kind: 'respond', status: result.statusCode, headers };
  }
  return { kind: 'forward', uri: result.uri };
}

function compile(): (event: { request: ViewerRequest }) => FunctionResult {
  const sandbox: { handler?: (event: { request: ViewerRequest }) => FunctionResult } = {};
  runInNewContext(`${REPORT_INDEX_REWRITE_CODE}\nthis.handler = handler;`, sandbox);
  const { handler: compiled } = sandbox;
  if (compiled === undefined) throw new Error('The report-index rewrite defines no handler');
  return compiled;
}
