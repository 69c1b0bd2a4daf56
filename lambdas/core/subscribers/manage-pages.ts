import type { FieldError } from '../shared/errors';
import type { Publication } from '../shared/publication';
import { parseTemplate, renderTemplate, TrustedHtml } from '../shared/template-engine';
import { readerSeries } from './series-preferences';
import { pages, type Page } from './subscriber-pages';
import type { SubscriberStatus } from './subscribers';

/**
 * The manage page and the pages its form leads to. Pure; rendered with the one template engine (every value
 * escaped) into the reader page frame of subscriber-pages.ts. No script: two plain forms posting to the page's
 * own URL, which the CSP's `form-action 'self'` allows. The page never shows the address: a forwarded mail
 * would hand it to whoever opens the link.
 */

const chooseTemplate = parseTemplate(
  `{{#if none}}<p><strong>You chose no series, so you get no digest.</strong> You are still subscribed: tick a series and save to receive it again.</p>{{/if}}
<form method="post" action="{{actionPath}}">
<fieldset>
<legend>Series in your digest</legend>
{{#each series}}<p><label><input type="checkbox" name="series" value="{{id}}"{{#if checked}} checked{{/if}}> <strong>{{name}}</strong></label><br>{{blurb}}</p>
{{/each}}</fieldset>
<p>{{#if all}}You receive every series, and new series as they start. {{/if}}Untick every series to stay subscribed without receiving a digest.</p>
<p><button type="submit" name="action" value="save">Save</button></p>
</form>
<form method="post" action="{{actionPath}}">
<p>Or stop receiving the {{publicationName}} digest at this address.</p>
<p><button type="submit" name="action" value="unsubscribe">Unsubscribe</button></p>
</form>`,
  {},
  'manage-choose',
);

const savedTemplate = parseTemplate(
  `{{#if names}}<p>Your digest will carry:</p>
<ul>{{#each names}}<li>{{name}}</li>{{/each}}</ul>
{{#if all}}<p>New series are included as they start.</p>{{/if}}{{else}}<p><strong>No series: you will get no digest.</strong> You are still subscribed, and can choose series again at any time.</p>{{/if}}
<p><a href="{{manageHref}}">{{#if names}}Change your choice{{else}}Choose series again{{/if}}</a></p>`,
  {},
  'manage-saved',
);

const refusedTemplate = parseTemplate(
  `<p>Nothing was changed.</p>
<ul>{{#each problems}}<li>{{field}}: {{message}}</li>{{/each}}</ul>
<p><a href="{{manageHref}}">Back to your choice</a></p>`,
  {},
  'manage-refused',
);

const paragraphsTemplate = parseTemplate('{{#each paragraphs}}<p>{{text}}</p>{{/each}}', {}, 'manage-paragraphs');

/** The same-origin path of the manage page for `token`: the forms post here, the links lead back here. */
export function manageActionPath(token: string): string {
  return `/api/subscribers/manage?token=${encodeURIComponent(token)}`;
}

const paragraphs = (...texts: string[]): TrustedHtml =>
  new TrustedHtml(renderTemplate(paragraphsTemplate, { paragraphs: texts.map((text) => ({ text })) }));

export const managePages = {
  /** The form: one checkbox per configured series, ticked per the reader's effective choice. */
  choose: (publication: Publication, token: string, stored: readonly string[] | undefined): Page => {
    const receiving = new Set(readerSeries({ series: stored === undefined ? undefined : [...stored] }, publication));
    return {
      title: 'Your digest',
      bodyHtml: new TrustedHtml(
        renderTemplate(chooseTemplate, {
          actionPath: manageActionPath(token),
          publicationName: publication.name,
          none: receiving.size === 0,
          all: stored === undefined,
          series: publication.series.map((series) => ({ ...series, checked: receiving.has(series.id) })),
        }),
      ),
    };
  },

  /** After saving: what the reader will receive, or that they will get no digest, with the way back. */
  saved: (publication: Publication, token: string, stored: readonly string[] | undefined): Page => {
    const receiving = new Set(readerSeries({ series: stored === undefined ? undefined : [...stored] }, publication));
    return {
      title: receiving.size === 0 ? 'You will get no digest' : 'Your choice is saved',
      bodyHtml: new TrustedHtml(
        renderTemplate(savedTemplate, {
          names: publication.series.filter((series) => receiving.has(series.id)).map(({ name }) => ({ name })),
          all: stored === undefined,
          manageHref: manageActionPath(token),
        }),
      ),
    };
  },

  /** An address that gets no digest has nothing to choose. */
  notSubscribed: (publication: Publication, status: SubscriberStatus): Page => ({
    title: 'This address gets no digest',
    bodyHtml:
      status === 'unsubscribed'
        ? paragraphs(
            `This address is unsubscribed from the ${publication.name} digest, so there is nothing to choose.`,
            `Sign up again at ${publication.subscribeUrl} to receive it.`,
          )
        : paragraphs(
            'Mail to this address bounced or was reported as unwanted, so we no longer send to it. Reply to any digest or contact the editors to have it restored.',
          ),
  }),

  unsubscribed: (publication: Publication): Page => pages.unsubscribed(publication),

  invalidLink: (): Page => ({
    title: 'This link is not valid',
    bodyHtml: paragraphs(
      'The link to your digest settings is incomplete or was changed. Use the link to your digest settings at the foot of any digest.',
    ),
  }),

  /** A post the page could not take (an unknown series, a body that is not a form): nothing changed. */
  refused: (token: string | undefined, problems: readonly FieldError[]): Page => ({
    title: 'Your choice was not saved',
    bodyHtml: new TrustedHtml(renderTemplate(refusedTemplate, { problems, manageHref: manageActionPath(token ?? '') })),
  }),
};
