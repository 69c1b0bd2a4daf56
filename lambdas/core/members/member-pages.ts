import type { Publication } from '../shared/publication';
import { editionPageUrl, memberSignInUrl } from '../shared/reader-urls';
import { parseTemplate, renderTemplate, TrustedHtml } from '../shared/template-engine';
import { pageHtml, type Page } from '../subscribers/subscriber-pages';
import type { SignInLinkFailure } from './member-sessions';

/**
 * The small pages of member sign-in (the form, "check your inbox", the confirm button, a dead link, not found, the
 * subscribers' edition) and the sign-in mail. Rendered in the readers' page frame (`pageHtml`, noindex) with the
 * one template engine, so every inserted value is escaped. Form actions are paths on the origin that served the
 * page: the page CSP allows `form-action 'self'` and nothing else.
 */
export const MEMBER_API_PATHS = {
  login: '/api/members/login',
  session: '/api/members/session',
  logout: '/api/members/logout',
} as const;

const templates = {
  paragraph: parseTemplate('<p>{{text}}</p>', {}, 'member-paragraph'),
  signInForm: parseTemplate(
    `{{#if intro}}<p>{{intro}}</p>
{{/if}}<form method="post" action="{{action}}">
<p><label for="email">Email address</label><br><input id="email" type="email" name="email" autocomplete="email" required maxlength="254"></p>
{{#if next}}<input type="hidden" name="next" value="{{next}}">
{{/if}}<p><button type="submit">Mail me a sign-in link</button></p>
</form>`,
    {},
    'member-sign-in-form',
  ),
  confirm: parseTemplate(
    `<p>{{text}}</p>
<form method="post" action="{{action}}">
<input type="hidden" name="token" value="{{token}}">
{{#if next}}<input type="hidden" name="next" value="{{next}}">
{{/if}}<p><button type="submit">Sign in</button></p>
</form>`,
    {},
    'member-confirm',
  ),
  edition: parseTemplate(
    `<p>{{text}}</p>
<p><a href="{{signInUrl}}">Sign in</a> · <a href="{{subscribeUrl}}">Subscribe</a> · <a href="{{freeUrl}}">Read the free edition</a></p>`,
    {},
    'member-edition',
  ),
  mail: parseTemplate(
    `<!doctype html><html lang="en"><body style="font-family:Georgia,serif;line-height:1.5;color:#1d1d1b">
<p>{{intro}}</p>
<p><a href="{{url}}">Sign in to {{publicationName}}</a></p>
<p>{{outro}}</p>
<p>{{footerText}}</p>
</body></html>`,
    {},
    'member-sign-in-mail',
  ),
};

const paragraph = (text: string): TrustedHtml => new TrustedHtml(renderTemplate(templates.paragraph, { text }));

function signInForm(intro: string, next: string | undefined): TrustedHtml {
  return new TrustedHtml(
    renderTemplate(templates.signInForm, { intro, action: MEMBER_API_PATHS.login, next: next ?? '' }),
  );
}

export const memberPages = {
  signIn: (publication: Publication, next: string | undefined): Page => ({
    title: `Sign in to ${publication.name}`,
    bodyHtml: signInForm(
      'Subscribers sign in with the address they receive the digest at: we mail you a link that signs you in on this browser.',
      next,
    ),
  }),
  /** The same page for every address, known or not: it must not tell who subscribes. */
  checkInbox: (): Page => ({
    title: 'Check your inbox',
    bodyHtml: paragraph(
      'If this address receives the digest, a sign-in link is on its way. It works once, for 15 minutes. Nothing arrived? Check the address and ask again in a minute.',
    ),
  }),
  invalidAddress: (publication: Publication, next: string | undefined): Page => ({
    title: 'Enter your email address',
    bodyHtml: signInForm(
      `That is not an email address we can mail. Enter the address you receive the ${publication.name} digest at.`,
      next,
    ),
  }),
  confirm: (publication: Publication, token: string, next: string | undefined): Page => ({
    title: `Sign in to ${publication.name}`,
    bodyHtml: new TrustedHtml(
      renderTemplate(templates.confirm, {
        text: 'Sign in on this browser? You stay signed in for 30 days, or until you sign out.',
        action: MEMBER_API_PATHS.session,
        token,
        next: next ?? '',
      }),
    ),
  }),
  invalidLink: (reason: SignInLinkFailure, next: string | undefined): Page => ({
    title:
      reason === 'expired'
        ? 'This sign-in link has expired'
        : reason === 'used'
          ? 'This sign-in link was already used'
          : 'This sign-in link is not valid',
    bodyHtml: signInForm(
      reason === 'expired'
        ? 'Sign-in links work for 15 minutes. Ask for a new one:'
        : reason === 'used'
          ? 'Each sign-in link works once, and a newer link replaces it. Ask for a new one:'
          : 'The link is incomplete or was changed, or the subscription behind it ended. Ask for a new one:',
      next,
    ),
  }),
  notFound: (): Page => ({ title: 'Page not found', bodyHtml: paragraph('There is no page at this address.') }),
  crossSite: (next: string | undefined): Page => ({
    title: 'Sign in from this site',
    bodyHtml: signInForm(
      'That request came from another site, so nothing was done. Ask for a sign-in link here:',
      next,
    ),
  }),
  subscribersEdition: (publication: Publication, editionId: string, memberPath: string): Page => ({
    title: 'The subscribers’ edition',
    bodyHtml: new TrustedHtml(
      renderTemplate(templates.edition, {
        text: `This is the ${publication.name} edition for paid subscribers, with every report in full. Sign in to read it, or read the free edition.`,
        signInUrl: memberSignInUrl(publication, memberPath),
        subscribeUrl: publication.subscribeUrl,
        freeUrl: editionPageUrl(publication, editionId),
      }),
    ),
  }),
};

/** A member page in the readers' frame. */
export function memberPageHtml(publication: Publication, page: Page): string {
  return pageHtml(publication, page);
}

/** The sign-in mail: plain, no tracking, the one link. */
export function signInMail(publication: Publication, url: string): { subject: string; html: string; text: string } {
  const subject = `Sign in to ${publication.name}`;
  const intro = `Someone, hopefully you, asked to sign in to ${publication.name} with this address.`;
  const outro =
    'The link works once, for 15 minutes. If you did not ask for it, ignore this mail: nothing happens without the link.';
  const html = renderTemplate(templates.mail, {
    intro,
    url,
    outro,
    publicationName: publication.name,
    footerText: publication.footerText,
  });
  const text = `${intro}\n\nSign in:\n${url}\n\n${outro}\n\n${publication.footerText}\n`;
  return { subject, html, text };
}
