import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_MAILS_PER_WINDOW } from '../../lambdas/core/members/sign-in';
import { activateReaders, startHarness, type Harness } from './harness';

/**
 * A reader who asks for a sign-in link again (the first mail is slow, or a script signs in once per test) gets one
 * each time, up to the allowance; only the link used last signs in, and every link mailed before it dies. Its own
 * stack: the gateway allows 10 logins a minute per client, which members.test.ts already spends on its cases.
 */
interface StoredMail {
  destination: { to: string[] };
  body: { text?: string };
}

const READER = 'asks.again@members.test';
const SESSION_LINK = /http:\/\/[^\s"<>]+\/api\/members\/session\?token=[^\s"<>]+/;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await activateReaders(harness, [READER], 'paid');
});

afterAll(async () => {
  await harness?.close();
});

async function linksMailed(): Promise<string[]> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  return emails
    .filter((mail) => mail.destination.to.includes(READER))
    .map((mail) => SESSION_LINK.exec(mail.body.text ?? '')?.[0] ?? '');
}

async function askForLink(): Promise<void> {
  const answer = await harness.api('/api/members/login', { method: 'POST', token: null, json: { email: READER } });
  expect(answer.status).toBe(202);
  await harness.stack.drain();
}

/** Opens a mailed link and presses its "Sign in" button, as a reader does: the POST's status. */
async function signInWith(link: string): Promise<number> {
  const confirm = await fetch(link);
  if (confirm.status !== 200) return confirm.status;
  const fields = Object.fromEntries(
    [...(await confirm.text()).matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((match) => [
      match[1] ?? '',
      (match[2] ?? '').replace(/&amp;/g, '&'),
    ]),
  );
  const posted = await fetch(`${harness.stack.apiUrl}/api/members/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return posted.status;
}

describe('asking for a sign-in link again', () => {
  it(`mails a link each time, ${SIGN_IN_MAILS_PER_WINDOW} in 15 minutes; the last one used signs in, the earlier die`, async () => {
    for (let asked = 1; asked <= SIGN_IN_MAILS_PER_WINDOW; asked += 1) {
      await askForLink();
      expect(await linksMailed()).toHaveLength(asked);
    }
    // Past the allowance: the same 202, and no mail.
    await askForLink();
    const links = await linksMailed();
    expect(links).toHaveLength(SIGN_IN_MAILS_PER_WINDOW);
    // (Links mailed in the same second at the same sign-in version are the same link.)

    expect(await signInWith(links.at(-1) ?? '')).toBe(303);
    for (const earlier of links) expect(await signInWith(earlier)).toBe(400);
  });
});
