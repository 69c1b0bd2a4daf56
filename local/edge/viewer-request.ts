import { runInNewContext } from 'node:vm';
import { MEMBER_PATH_REWRITE_CODE } from '../../lib/edge/member-path-rewrite';
import { REPORT_INDEX_REWRITE_CODE } from '../../lib/edge/report-index-rewrite';

interface ViewerRequest {
  uri: string;
  method: string;
  headers: Record<string, { value: string }>;
  /** As CloudFront hands it over: decoded values, `multiValue` when a name repeats. */
  querystring: Record<string, { value: string; multiValue?: { value: string }[] }>;
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
const handler = compile(REPORT_INDEX_REWRITE_CODE);
/** The `/members/*` behaviour's function: strips the trailing slash of member pages, 301s the slash-less form. */
const memberHandler = compile(MEMBER_PATH_REWRITE_CODE);

export function viewerRequest(uri: string, method: string): ViewerRequestOutcome {
  return outcomeOf(handler({ request: { uri, method, headers: {}, querystring: {} } }));
}

export function memberViewerRequest(uri: string, method: string, query: URLSearchParams): ViewerRequestOutcome {
  const querystring: ViewerRequest['querystring'] = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name).map((value) => ({ value }));
    const [first] = values;
    if (first === undefined) continue;
    querystring[name] = values.length > 1 ? { value: first.value, multiValue: values } : first;
  }
  return outcomeOf(memberHandler({ request: { uri, method, headers: {}, querystring } }));
}

function outcomeOf(result: FunctionResult): ViewerRequestOutcome {
  if ('statusCode' in result) {
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, { value }]) => [name, value]));
    return { kind: 'respond', status: result.statusCode, headers };
  }
  return { kind: 'forward', uri: result.uri };
}

function compile(code: string): (event: { request: ViewerRequest }) => FunctionResult {
  const sandbox: { handler?: (event: { request: ViewerRequest }) => FunctionResult } = {};
  runInNewContext(`${code}\nthis.handler = handler;`, sandbox);
  const { handler: compiled } = sandbox;
  if (compiled === undefined) throw new Error('A viewer-request function defines no handler');
  return compiled;
}
