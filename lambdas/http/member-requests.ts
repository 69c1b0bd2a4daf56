import { header, jsonObjectBody, rawBody, type ApiEvent, type ApiResult } from './api';
import { MEMBER_HEADERS } from './security-headers';

/** The member routes' requests and answers: bodies that are JSON or a form, HTML pages that no cache keeps. */

const FORM_TYPE = 'application/x-www-form-urlencoded';

function isForm(event: ApiEvent): boolean {
  return (header(event, 'content-type') ?? '').toLowerCase().split(';')[0]?.trim() === FORM_TYPE;
}

/** A form body's fields (the sign-in and confirm pages post forms); empty for any other body. */
export function formFields(event: ApiEvent): URLSearchParams {
  return isForm(event) ? new URLSearchParams(rawBody(event)) : new URLSearchParams();
}

/**
 * The login body: the sign-in page's form (`email`, `next`; other fields are ignored, as a browser may add some),
 * or a JSON object, validated by the core like any other.
 */
export function loginBody(event: ApiEvent): { form: boolean; body: Record<string, unknown> } {
  if (!isForm(event)) return { form: false, body: jsonObjectBody(event) };
  const fields = formFields(event);
  const next = fields.get('next');
  return { form: true, body: { email: fields.get('email') ?? '', ...(next ? { next } : {}) } };
}

/** A field of the form, else the query parameter of that name (the confirm form posts both to the same URL). */
export function formOrQuery(event: ApiEvent, name: string): string | undefined {
  return formFields(event).get(name) ?? event.queryStringParameters?.[name];
}

/**
 * A form posted to a member route by another site's page (the browser says so in `Sec-Fetch-Site`). Refused: such a
 * form could sign a reader's browser in to someone else's account with that person's own link (login CSRF), or sign
 * them out. Clients that send no fetch metadata (the CLI, scripts, older browsers) are not affected.
 */
export function crossSitePost(event: ApiEvent): boolean {
  return event.requestContext.http.method === 'POST' && header(event, 'sec-fetch-site')?.toLowerCase() === 'cross-site';
}

/** An HTML page with the member headers (private, no-store, noindex). */
export function memberHtml(status: number, body: string): ApiResult {
  return { statusCode: status, headers: { 'content-type': 'text/html; charset=utf-8', ...MEMBER_HEADERS }, body };
}

/** 303 See Other to a path of this site (a POST answered with a GET of the next page), setting `cookies`. */
export function seeOther(location: string, cookies: string[]): ApiResult {
  return { statusCode: 303, headers: { location, ...MEMBER_HEADERS }, cookies, body: '' };
}

/** 301 to a page that everyone may read in full. */
export function movedPermanently(location: string): ApiResult {
  return { statusCode: 301, headers: { location, ...MEMBER_HEADERS }, body: '' };
}
