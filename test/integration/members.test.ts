import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paidEditionPageKey } from '../../lambdas/adapters/data-model';
import { SubscribersStore } from '../../lambdas/adapters/subscribers-store';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import { memberSessionVersionOf, type Subscriber } from '../../lambdas/core/subscribers/subscribers';
import { activateReaders, startHarness, type Harness } from './harness';

/**
 * Issue 15 items 1 and 2, end to end through the local gateway (its edge plays CloudFront's `/members/*` behaviour
 * and viewer-request function): a paid reader signs in through the link in the SES emulator's inbox and reads the
 * paid text at `/members/reports/{slug}/`; everyone else gets the preview.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

const PAID_MARKER = 'OSPREY-7731';
const READERS = {
  paid: 'paid.member@members.test',
  free: 'free.member@members.test',
  downgraded: 'downgraded.member@members.test',
  leaving: 'leaving.member@members.test',
  wanderer: 'wanderer.member@members.test',
} as const;
const SESSION_LINK = /http:\/\/[^\s"<>]+\/api\/members\/session\?token=[^\s"<>]+/;

let harness: Harness;
let dynamo: DynamoDBClient;
let s3: S3Client;
let store: SubscribersStore;
let tokens: SubscriberTokens;
let subscriberSlug: string;
let complimentarySlug: string;
/** The paid reader's cookie (`dispatch_member=…`), from the sign-in through the mailed link. */
let paidCookie: string;

const url = (path: string) => `${harness.stack.apiUrl}${path}`;
const get = (path: string, cookie?: string) =>
  fetch(url(path), { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } });
const postForm = (path: string, fields: Record<string, string>, cookie?: string) =>
  fetch(url(path), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }) },
    body: new URLSearchParams(fields).toString(),
  });
const login = (json: Record<string, unknown>) =>
  harness.api('/api/members/login', { method: 'POST', token: null, json });

async function mailsTo(email: string): Promise<StoredMail[]> {
  const { emails } = (await (await fetch(`${harness.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] };
  return emails.filter((mail) => mail.destination.to.includes(email));
}

/** Asks for a link as a reader would, and returns the one the worker mailed. */
async function mailedLink(email: string, next?: string): Promise<string> {
  const before = (await mailsTo(email)).length;
  expect((await login({ email, ...(next === undefined ? {} : { next }) })).status).toBe(202);
  await harness.stack.drain();
  const mails = await mailsTo(email);
  expect(mails).toHaveLength(before + 1);
  const link = SESSION_LINK.exec(mails.at(-1)?.body.text ?? '')?.[0];
  if (link === undefined) throw new Error('The sign-in mail has no link');
  return link;
}

/** The confirm page's form fields (token, next), as a browser would post them. */
function formFields(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((match) => [
      match[1] ?? '',
      (match[2] ?? '').replace(/&amp;/g, '&'),
    ]),
  );
}

/** The `name=value` of the member cookie a response sets. */
function memberCookieOf(response: Response): string {
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('dispatch_member='));
  if (cookie === undefined) throw new Error('No dispatch_member cookie set');
  return cookie.split(';')[0] ?? '';
}

async function subscriber(email: string): Promise<Subscriber> {
  const found = await store.get(email);
  if (!found) throw new Error(`No subscriber ${email}`);
  return found;
}

/** A session cookie at the reader's current version, as a sign-in would set it (for the revocation cases). */
async function currentCookie(email: string, at = new Date()): Promise<string> {
  const reader = await subscriber(email);
  return `dispatch_member=${tokens.sessionToken(reader.subscriberId, memberSessionVersionOf(reader), at)}`;
}

async function expectPreview(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).not.toContain(PAID_MARKER);
  expect(html).toContain('class="sign-in-link"');
  expect(html).toContain('>Subscribe</a>');
  return html;
}

beforeAll(async () => {
  harness = await startHarness();
  const { endpoints } = harness.stack;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  dynamo = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials });
  s3 = new S3Client({ endpoint: endpoints.s3, region: endpoints.region, credentials, forcePathStyle: true });
  store = new SubscribersStore(DynamoDBDocumentClient.from(dynamo), endpoints.tables.Subscribers as string);
  tokens = new SubscriberTokens((await readFile(join(harness.dataDir, 'token-secret'), 'utf8')).trim());

  const submit = async (json: Record<string, unknown>): Promise<string> => {
    const response = await harness.api('/api/reports', { method: 'POST', json });
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { slug: string }).slug;
  };
  subscriberSlug = await submit({
    title: 'Who opened the Osprey weir',
    summary: 'The weir at Osprey Bend opened twice without an order.',
    body: `The weir opened twice last week.\n\nThe operator is looking into it.\n\n<!-- paywall -->\n\nThe log names the night shift: override ${PAID_MARKER} was keyed in by hand.`,
    tier: 'subscriber',
    series: 'grid-watch',
    tags: ['Weirs'],
    authors: ['Ines Varga'],
  });
  complimentarySlug = await submit({
    title: 'Weir maintenance schedule published',
    summary: 'The schedule for the spring maintenance is out.',
    body: 'The schedule is out.',
    tier: 'complimentary',
    series: 'grid-watch',
  });
  await activateReaders(harness, [READERS.paid, READERS.downgraded, READERS.leaving, READERS.wanderer], 'paid');
  await activateReaders(harness, [READERS.free], 'free');
  await harness.stack.drain();
});

afterAll(async () => {
  dynamo?.destroy();
  s3?.destroy();
  await harness?.close();
});

describe('sign-in by email', () => {
  it('mails a paid reader a link; its GET only shows a button; its POST sets the cookie and goes back', async () => {
    const next = `/members/reports/${subscriberSlug}/`;
    const link = await mailedLink(READERS.paid, next);
    const before = await subscriber(READERS.paid);

    // What a mail scanner does: GET the link. The page offers a button, and the link still works.
    const confirm = await fetch(link);
    expect(confirm.status).toBe(200);
    expect(confirm.headers.get('cache-control')).toBe('private, no-store');
    const page = await confirm.text();
    expect(page).toContain('<form method="post" action="/api/members/session">');
    expect(page).toContain('<button type="submit">Sign in</button>');
    expect((await subscriber(READERS.paid)).signInVersion ?? 0).toBe(before.signInVersion ?? 0);

    const fields = formFields(page);
    expect(fields.next).toBe(next);
    // Another site's page posting the confirm form (login CSRF) is refused, and does not burn the link.
    const forged = await fetch(url('/api/members/session'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams(fields).toString(),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie()).toEqual([]);
    expect(await forged.text()).toContain('came from another site');
    const signedIn = await postForm('/api/members/session', fields);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(next);
    const setCookie = signedIn.headers.getSetCookie().find((value) => value.startsWith('dispatch_member='));
    expect(setCookie).toMatch(/^dispatch_member=m\.[^;]+; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=2592000$/);
    paidCookie = memberCookieOf(signedIn);

    // Single use: the same link a second time signs nobody in and offers a new one.
    const again = await postForm('/api/members/session', fields);
    expect(again.status).toBe(400);
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(await again.text()).toContain('already used');
    expect((await fetch(link)).status).toBe(400);
  });

  it('answers 202 with the same body for an unknown address, and mails nothing', async () => {
    const known = await login({ email: READERS.downgraded });
    const unknown = await login({ email: 'nobody@members.test' });
    expect(unknown.status).toBe(202);
    expect(await unknown.json()).toEqual(await known.json());
    await harness.stack.drain();
    expect(await mailsTo('nobody@members.test')).toEqual([]);
  });

  it('answers the sign-in form with a "check your inbox" page, and a bad address with the form again (422)', async () => {
    const page = await get('/members/sign-in/?next=%2Fmembers%2Freports%2Fa%2F');
    expect(page.status).toBe(200);
    const form = await page.text();
    expect(form).toContain('<form method="post" action="/api/members/login">');
    expect(form).toContain('<input type="hidden" name="next" value="/members/reports/a/">');

    const sent = await postForm('/api/members/login', { email: 'stranger@members.test', next: '/members/reports/a/' });
    expect(sent.status).toBe(202);
    expect(sent.headers.get('content-type')).toContain('text/html');
    expect(await sent.text()).toContain('Check your inbox');
    const bad = await postForm('/api/members/login', { email: 'not-an-address' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Mail me a sign-in link');
    const json = await login({ email: 'not-an-address' });
    expect(json.status).toBe(422);
    expect(((await json.json()) as { error: { fields: { field: string }[] } }).error.fields[0]?.field).toBe('email');
  });

  it('sends the reader home, not to another site, whatever next says', async () => {
    const link = await mailedLink(READERS.wanderer, '//evil.com');
    expect(link).not.toContain('next=');
    const fields = formFields(await (await fetch(link)).text());
    const signedIn = await postForm('/api/members/session', { ...fields, next: '//evil.com' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    for (const next of ['/\\evil.com', 'https://evil.com/', '/%2F%2Fevil.com']) {
      const forged = await postForm('/api/members/session', { token: 'x', next });
      expect(forged.status).toBe(400);
      expect(forged.headers.get('location')).toBeNull();
    }
  });
});

describe('member report pages', () => {
  const memberPath = () => `/members/reports/${subscriberSlug}/`;

  it('gives a signed-in paid reader the full text, privately and never indexed', async () => {
    const response = await get(memberPath(), paidCookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toContain(PAID_MARKER);
    expect(html).toContain('<button type="submit">Sign out</button>');
    expect(html).not.toContain('class="sign-in-link"');
  });

  it('gives a signed-in free reader the preview with "Sign in" beside "Subscribe"', async () => {
    const link = await mailedLink(READERS.free, memberPath());
    const signedIn = await postForm('/api/members/session', formFields(await (await fetch(link)).text()));
    expect(signedIn.status).toBe(303);
    const html = await expectPreview(await get(memberPath(), memberCookieOf(signedIn)));
    expect(html).toContain(`/members/sign-in/?next=%2Fmembers%2Freports%2F${subscriberSlug}%2F`);
  });

  it('gives the preview without a cookie, or with a forged or expired one', async () => {
    const reader = await subscriber(READERS.paid);
    const forged = new SubscriberTokens('another-secret-of-at-least-thirty-two-chars').sessionToken(
      reader.subscriberId,
      memberSessionVersionOf(reader),
      new Date(),
    );
    const expired = await currentCookie(READERS.paid, new Date(Date.now() - 31 * 86_400_000));
    const signInLink = `dispatch_member=${tokens.signInToken(reader.subscriberId, reader.signInVersion ?? 0, new Date())}`;
    for (const cookie of [undefined, `dispatch_member=${forged}`, expired, signInLink, 'dispatch_member=garbage']) {
      const response = await get(memberPath(), cookie);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      await expectPreview(response);
    }
  });

  it('revokes every cookie of a reader whose tier leaves paid, even after an upgrade back', async () => {
    const cookie = await currentCookie(READERS.downgraded);
    expect(await (await get(memberPath(), cookie)).text()).toContain(PAID_MARKER);
    await activateReaders(harness, [READERS.downgraded], 'free');
    await expectPreview(await get(memberPath(), cookie));
    await activateReaders(harness, [READERS.downgraded], 'paid');
    await expectPreview(await get(memberPath(), cookie));
  });

  it('signs out: clears the cookie and revokes it, so a copy of it reads nothing either', async () => {
    const cookie = await currentCookie(READERS.leaving);
    expect(await (await get(memberPath(), cookie)).text()).toContain(PAID_MARKER);
    const out = await postForm('/api/members/logout', {}, cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/');
    expect(out.headers.getSetCookie()).toEqual(['dispatch_member=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0']);
    await expectPreview(await get(memberPath(), cookie));
    // Without a cookie it still clears and goes home.
    expect((await postForm('/api/members/logout', {})).status).toBe(303);
  });

  it('redirects the slash-less path to the page, and a complimentary report to its public page', async () => {
    const bare = await get(`/members/reports/${subscriberSlug}`);
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe(memberPath());
    expect(bare.headers.get('cache-control')).toBe('private, no-store');
    const signIn = await get('/members/sign-in?next=%2Fmembers%2Freports%2Fa%2F');
    expect(signIn.status).toBe(301);
    expect(signIn.headers.get('location')).toBe('/members/sign-in/?next=%2Fmembers%2Freports%2Fa%2F');

    const complimentary = await get(`/members/reports/${complimentarySlug}/`, paidCookie);
    expect(complimentary.status).toBe(301);
    expect(complimentary.headers.get('location')).toBe(url(`/reports/${complimentarySlug}/`));
  });

  it('answers 404 for a slug no published report holds', async () => {
    const missing = await get('/members/reports/no-such-report/', paidCookie);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('private, no-store');
    expect(await missing.text()).toContain('Page not found');
  });
});

describe('the public page of a subscriber report', () => {
  it('carries isAccessibleForFree false with the paywalled part named, "Sign in", and no paid text', async () => {
    const response = await get(`/reports/${subscriberSlug}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain(PAID_MARKER);
    const json = /<script type="application\/ld\+json">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}';
    expect(JSON.parse(json)).toMatchObject({
      isAccessibleForFree: false,
      hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.paywalled' },
      author: [{ '@type': 'Person', name: 'Ines Varga' }],
    });
    expect(html).toContain('class="subscriber-notice paywalled"');
    expect(html).toContain(`href="${url(`/members/sign-in/?next=%2Fmembers%2Freports%2F${subscriberSlug}%2F`)}"`);
  });
});

describe('member edition pages', () => {
  const editionId = ulid();
  const page = `<!doctype html><html lang="en"><title>Paid edition</title><p>Paid edition ${PAID_MARKER}</p></html>`;

  beforeAll(async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: harness.stack.endpoints.buckets.Vault,
        Key: paidEditionPageKey(editionId),
        Body: page,
        ContentType: 'text/html; charset=utf-8',
      }),
    );
  });

  it('serves the paid edition page verbatim to a signed-in paid reader', async () => {
    const response = await get(`/members/editions/${editionId}/`, paidCookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    expect(await response.text()).toBe(page);
  });

  it('tells anyone else it is the subscribers’ edition, with "Sign in" and the free edition', async () => {
    for (const cookie of [undefined, await currentCookie(READERS.free)]) {
      const response = await get(`/members/editions/${editionId}/`, cookie);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).not.toContain(PAID_MARKER);
      expect(html).toContain(url(`/editions/${editionId}/`));
      expect(html).toContain(`/members/sign-in/?next=%2Fmembers%2Feditions%2F${editionId}%2F`);
    }
  });

  it('answers 404 for an edition without a paid page', async () => {
    expect((await get(`/members/editions/${ulid()}/`, paidCookie)).status).toBe(404);
  });
});
