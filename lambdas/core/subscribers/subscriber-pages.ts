import { escapeHtml } from '../shared/escape-html';
import type { Publication } from '../shared/publication';
import { siteRootUrl } from '../shared/reader-urls';

/**
 * The small HTML pages readers land on from a mail (confirm, unsubscribe) and the confirmation mail itself.
 * Pure string building; every inserted value is escaped.
 */
export interface Page {
  title: string;
  /** Trusted HTML built here from escaped parts. */
  bodyHtml: string;
}

export function pageHtml(publication: Publication, page: Page): string {
  const name = escapeHtml(publication.name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)} · ${name}</title>
<style>body{font-family:Georgia,serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1b}
button{font:inherit;padding:.6rem 1.2rem;border:1px solid #1d1d1b;background:#fff;cursor:pointer}a{color:#1d1d1b}</style>
</head>
<body>
<main>
<p><a href="${escapeHtml(siteRootUrl(publication))}">${name}</a></p>
<h1>${escapeHtml(page.title)}</h1>
${page.bodyHtml}
</main>
</body>
</html>
`;
}

const paragraph = (text: string): string => `<p>${escapeHtml(text)}</p>`;

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
    bodyHtml: `${paragraph(`Stop receiving the ${publication.name} digest at this address?`)}
<form method="post" action="${escapeHtml(actionPath)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
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
  const html = `<!doctype html><html lang="en"><body style="font-family:Georgia,serif;line-height:1.5;color:#1d1d1b">
<p>${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(confirmUrl)}">Confirm my subscription</a></p>
<p>${escapeHtml(outro)}</p>
<p>${escapeHtml(publication.footerText)}</p>
</body></html>`;
  const text = `${intro}\n\nConfirm your subscription:\n${confirmUrl}\n\n${outro}\n\n${publication.footerText}\n`;
  return { subject, html, text };
}
