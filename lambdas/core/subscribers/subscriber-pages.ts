import type { Publication } from '../shared/publication';
import { siteRootUrl } from '../shared/reader-urls';
import { parseTemplate, renderTemplate, TrustedHtml } from '../shared/template-engine';

/**
 * The small HTML pages readers land on from a mail (confirm, unsubscribe) and the confirmation mail itself.
 * Pure; rendered with the one template engine, so every inserted value is escaped unless marked TrustedHtml.
 */
export interface Page {
  title: string;
  /** Built here from templates, so already escaped. */
  bodyHtml: TrustedHtml;
}

const pageTemplate = parseTemplate(
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}} · {{publicationName}}</title>
<style>body{font-family:Georgia,serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1b}
button{font:inherit;padding:.6rem 1.2rem;border:1px solid #1d1d1b;background:#fff;cursor:pointer}a{color:#1d1d1b}</style>
</head>
<body>
<main>
<p><a href="{{homeUrl}}">{{publicationName}}</a></p>
<h1>{{title}}</h1>
{{{bodyHtml}}}
</main>
</body>
</html>
`,
  {},
  'reader-page',
);

const paragraphTemplate = parseTemplate('<p>{{text}}</p>', {}, 'paragraph');

const unsubscribeFormTemplate = parseTemplate(
  `<p>{{question}}</p>
<form method="post" action="{{actionPath}}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
  {},
  'unsubscribe-form',
);

const confirmationMailTemplate = parseTemplate(
  `<!doctype html><html lang="en"><body style="font-family:Georgia,serif;line-height:1.5;color:#1d1d1b">
<p>{{intro}}</p>
<p><a href="{{confirmUrl}}">Confirm my subscription</a></p>
<p>{{outro}}</p>
<p>{{footerText}}</p>
</body></html>`,
  {},
  'confirmation-mail',
);

export function pageHtml(publication: Publication, page: Page): string {
  return renderTemplate(pageTemplate, {
    title: page.title,
    publicationName: publication.name,
    homeUrl: siteRootUrl(publication),
    bodyHtml: page.bodyHtml,
  });
}

const paragraph = (text: string): TrustedHtml => new TrustedHtml(renderTemplate(paragraphTemplate, { text }));

export const pages = {
  confirmed: (publication: Publication): Page => ({
    title: 'Subscription confirmed',
    bodyHtml: paragraph(`You will receive the ${publication.name} digest from the next edition on.`),
  }),
  alreadyConfirmed: (publication: Publication): Page => ({
    title: 'Already confirmed',
    bodyHtml: paragraph(`This address already receives the ${publication.name} digest. Nothing has changed.`),
  }),
  confirmSuppressed: (): Page => ({
    title: 'We cannot confirm this address',
    bodyHtml: paragraph(
      'Mail to this address bounced or was reported as unwanted, so we no longer send to it. Reply to any digest or contact the editors to have it restored.',
    ),
  }),
  invalidLink: (kind: 'confirmation' | 'unsubscribe', reason: 'expired' | 'invalid' | 'stale'): Page => ({
    title:
      reason === 'expired'
        ? 'This link has expired'
        : reason === 'stale'
          ? 'This link is no longer valid'
          : 'This link is not valid',
    bodyHtml: paragraph(
      reason === 'expired'
        ? 'Confirmation links work for seven days. Sign up again and we will send you a fresh one.'
        : reason === 'stale'
          ? 'Your subscription changed after this link was sent, so the link no longer does anything. Sign up again if you want the digest.'
          : kind === 'confirmation'
            ? 'The confirmation link is incomplete or was changed. Copy the whole link from the mail, or sign up again.'
            : 'The unsubscribe link is incomplete or was changed. Use the unsubscribe link at the foot of any digest.',
    ),
  }),
  unsubscribeForm: (publication: Publication, actionPath: string): Page => ({
    title: 'Unsubscribe',
    bodyHtml: new TrustedHtml(
      renderTemplate(unsubscribeFormTemplate, {
        question: `Stop receiving the ${publication.name} digest at this address?`,
        actionPath,
      }),
    ),
  }),
  unsubscribed: (publication: Publication): Page => ({
    title: 'You are unsubscribed',
    bodyHtml: paragraph(`You will not receive the ${publication.name} digest any more. We are sorry to see you go.`),
  }),
};

/** The confirmation mail: plain, no tracking, the one link a reader needs. */
export function confirmationMail(
  publication: Publication,
  confirmUrl: string,
): { subject: string; html: string; text: string } {
  const subject = `Confirm your subscription to ${publication.name}`;
  const intro = `Someone, hopefully you, asked to receive the ${publication.name} digest at this address.`;
  const outro = 'The link works for seven days. If you did not ask for this, ignore this mail and nothing will happen.';
  const html = renderTemplate(confirmationMailTemplate, {
    intro,
    confirmUrl,
    outro,
    footerText: publication.footerText,
  });
  const text = `${intro}\n\nConfirm your subscription:\n${confirmUrl}\n\n${outro}\n\n${publication.footerText}\n`;
  return { subject, html, text };
}
