import { logger } from '../adapters/logger';
import type { Publication } from '../core/shared/publication';
import { pageHtml, pages, type Page } from '../core/subscribers/subscriber-pages';
import type { LinkOutcome } from '../core/subscribers/subscriber-service';
import { html, type ApiResult } from './api';

export type LinkKind = 'confirmation' | 'unsubscribe';

/**
 * The page a reader sees after following a link from a mail: the invalid-link page (400) for a bad or expired
 * token, otherwise the page for the outcome (409 when the change was refused). Logs the reason, never the token.
 */
export function linkPage(
  publication: Publication,
  outcome: LinkOutcome,
  kind: LinkKind,
  success?: Record<'done' | 'unchanged' | 'refused', Page>,
): ApiResult {
  if (outcome.outcome === 'invalid' || !success) {
    const reason = outcome.outcome === 'invalid' ? outcome.reason : 'invalid';
    logger.info('Subscriber link rejected', { kind, reason });
    return html(400, pageHtml(publication, pages.invalidLink(kind, reason)));
  }
  return html(outcome.outcome === 'refused' ? 409 : 200, pageHtml(publication, success[outcome.outcome]));
}
