/**
 * CloudFront Function (viewer request, cloudfront-js-2.0) for the `/members/*` behaviour, which goes to the HTTP
 * API: readers use `/members/reports/{slug}/`, `/members/editions/{id}/` and `/members/sign-in/` (trailing slash,
 * like every page of the site), the API's routes have none. The function strips the slash; the slash-less form is
 * redirected to the slashed one, with its query string (`next`), so a page has one URL. Anything else under
 * `/members/` goes on as it is (the API answers 404). Kept as a plain string so the local edge runs this very code.
 *
 * CloudFront hands the function the query string as an object of decoded values; they are encoded again for the
 * Location header.
 */
export const MEMBER_PATH_REWRITE_CODE = `function query(querystring) {
  var parts = [];
  for (var name in querystring) {
    var entry = querystring[name];
    var values = entry.multiValue ? entry.multiValue : [entry];
    for (var i = 0; i < values.length; i++) {
      parts.push(encodeURIComponent(name) + '=' + encodeURIComponent(values[i].value));
    }
  }
  return parts.length > 0 ? '?' + parts.join('&') : '';
}
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var page = /^\\/members\\/(reports\\/[a-z0-9-]+|editions\\/[0-9A-Za-z]+|sign-in)(\\/?)$/.exec(uri);
  if (!page) return request;
  if (page[2] === '/') {
    request.uri = uri.slice(0, -1);
    return request;
  }
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: {
      location: { value: uri + '/' + query(request.querystring || {}) },
      'cache-control': { value: 'private, no-store' },
    },
  };
}
`;
