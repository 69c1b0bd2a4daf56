import { z } from 'zod';
import { logger } from '../adapters/logger';
import type { Publication } from '../core/shared/publication';
import { parseWith } from '../core/shared/validation';
import type { ManageForm, ManageOutcome } from '../core/subscribers/manage-preferences';
import { managePages } from '../core/subscribers/manage-pages';
import { seriesIdsSchema } from '../core/subscribers/series-preferences';
import { pageHtml, type Page } from '../core/subscribers/subscriber-pages';
import { header, rawBody, type ApiEvent, type ApiResult } from './api';
import { errorAnswer } from './error-mapping';
import { HttpError } from './errors';
import { TOKEN_PAGE_HEADERS } from './security-headers';

/**
 * `/api/subscribers/manage?token=`: reads the form the page posts and answers every outcome, and every refusal,
 * as an HTML page a reader can act on (this is a browser's form post, not an API client's call).
 */

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The form's fields. Strict: a misspelt field (`serie=…`) must not read as "no series chosen", which would stop
 * the reader's digest.
 */
const formSchema = z
  .object({
    action: z.enum(['save', 'unsubscribe'], { message: 'must be save or unsubscribe, once' }).optional(),
    series: seriesIdsSchema,
  })
  .strict();

/** The POSTed form: `series` once per chosen id (none: no series), `action=unsubscribe` for the other button. */
export function manageForm(event: ApiEvent): ManageForm {
  const body = rawBody(event);
  const type = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  // A bodiless POST is an empty form whatever it says it is; anything else must be the form encoding.
  if (body !== '' && type !== FORM_TYPE) {
    throw new HttpError(415, 'unsupported_media_type', `The form must be sent as ${FORM_TYPE}`);
  }
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(body)) fields.set(name, [...(fields.get(name) ?? []), value]);
  const { action: actions, series = [], ...rest } = Object.fromEntries(fields);
  const action = actions?.length === 1 ? actions[0] : actions;
  const form = parseWith(formSchema, { ...rest, series, ...(action === undefined ? {} : { action }) });
  return form.action === 'unsubscribe' ? { action: 'unsubscribe' } : { action: 'save', series: form.series };
}

/** The page for an outcome. `refusedStatus` is what "nothing to choose" answers: 200 to a GET, 409 to a POST. */
export function manageAnswer(
  publication: Publication,
  token: string | undefined,
  outcome: ManageOutcome,
  refusedStatus: 200 | 409,
): ApiResult {
  switch (outcome.outcome) {
    case 'invalid':
      logger.info('Subscriber link rejected', { kind: 'manage', reason: 'invalid' });
      return page(publication, 400, managePages.invalidLink());
    case 'not-subscribed':
      return page(publication, refusedStatus, managePages.notSubscribed(publication, outcome.status));
    case 'choose':
      return page(publication, 200, managePages.choose(publication, token ?? '', outcome.series));
    case 'saved':
      logger.info('Reader series saved', { series: outcome.series?.length ?? 'all' });
      return page(publication, 200, managePages.saved(publication, token ?? '', outcome.series));
    case 'unsubscribed':
      return page(publication, 200, managePages.unsubscribed(publication));
  }
}

/**
 * A refused post (an unknown series, a body that is not the form) as a page naming what was wrong, with the
 * status error-mapping.ts gives it. Anything that is not a known refusal goes on to the API's 500.
 */
export function manageRefusal(publication: Publication, token: string | undefined, error: unknown): ApiResult {
  const answer = errorAnswer(error);
  if (!answer) throw error;
  const { message, fields } = answer.body.error;
  return page(publication, answer.status, managePages.refused(token, fields ?? [{ field: '(form)', message }]), {
    ...answer.headers,
  });
}

function page(publication: Publication, status: number, content: Page, headers: Record<string, string> = {}) {
  return {
    statusCode: status,
    // The URL is the reader's credential: no cache may keep the page, no engine index it.
    headers: { 'content-type': 'text/html; charset=utf-8', ...TOKEN_PAGE_HEADERS, ...headers },
    body: pageHtml(publication, content),
  } satisfies ApiResult;
}
