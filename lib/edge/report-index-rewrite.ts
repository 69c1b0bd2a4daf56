/**
 * CloudFront Function (viewer request, cloudfront-js-2.0) for the site and console behaviours: report pages live
 * at `reports/{slug}/index.html`, readers ask for `/reports/{slug}/` (series pages likewise under `/series/{id}/`;
 * an id nobody configured is a missing key, so the bucket's 404; edition pages under `/editions/{id}/`, their list
 * at `/editions/`); the editor console's shell lives at `console/index.html`, editors open `/console/`. A request
 * without the trailing slash is redirected so relative links in the page resolve. Kept as a plain string so tests
 * can evaluate it.
 */
export const REPORT_INDEX_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (/^\\/(reports|series|editions)\\/[^\\/]+\\/$/.test(uri) || uri === '/console/' || uri === '/editions/') {
    request.uri = uri + 'index.html';
    return request;
  }
  if (/^\\/(reports|series|editions)\\/[^\\/.]+$/.test(uri) || uri === '/console' || uri === '/editions') {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: uri + '/' }, 'cache-control': { value: 'public, max-age=3600' } },
    };
  }
  return request;
}
`;
