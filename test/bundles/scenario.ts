import { createHash, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import {
  editorsTable,
  mailQueue,
  planQueue,
  signUpQueue,
  siteBucket,
  subscribersTable,
  vaultBucket,
} from '../../lambdas/adapters/data-model';
import { EditorsStore } from '../../lambdas/adapters/editors-store';
import { SubscribersStore } from '../../lambdas/adapters/subscribers-store';
import { issueEditor } from '../../lambdas/core/editors/editors';
import type { Publication } from '../../lambdas/core/shared/publication';
import { SesFeedbackPoller, SIMULATOR } from '../../local/ses-feedback-poller';
import { localBucketName, localTableName } from '../../local/stack';
import type { Invocation } from './bundle-process';
import {
  type CheckRecorder,
  type EventSources,
  expectStatus,
  expectThat,
  invocationValue,
  jsonOf,
  mailsTo,
  objectText,
  required,
  sesMails,
} from './checks';
import type { LambdaService } from './lambda-service';
import type { LocalBackend } from './local-backend';
import type { TemplateApi } from './template-api';

/**
 * What every synthesized function must do, in the order a publication lives it, each function invoked through
 * its own trigger with the answer checked as the integration tests check it. Later steps feed on what earlier
 * bundles wrote (the stream records of the reports the API stored, the sign-up message the API queued, the
 * confirmation link the worker mailed, the edition the planner fanned out), so the chain itself is evidence.
 */
export interface ScenarioContext {
  readonly api: TemplateApi;
  readonly backend: LocalBackend;
  readonly lambda: LambdaService;
  readonly sources: EventSources;
  readonly recorder: CheckRecorder;
  /** The publication the templates hand the functions (`DISPATCH_PUBLICATION`). */
  readonly publication: Publication;
}

/** Text that only paying readers may see; the public feed, pages and the free digest must never carry it. */
const PAID_MARKER = 'HERON-5521';
const PAID_ONLY = `Vault-only finding: relay ${PAID_MARKER} at Brannock was tripped by hand on night nine.`;

const READERS = {
  paid: 'paid.reader@verify.test',
  free: 'free.reader@verify.test',
  signUp: 'new.reader@verify.test',
  bounce: SIMULATOR.bounce,
} as const;
/** Becomes a reader by paying (the billing checks come after the digest, so it is in no edition). */
const STRIPE_PAYER = 'stripe.payer@verify.test';

interface StoredReport {
  id: string;
  slug: string;
  title: string;
}

const CONFIRM_LINK = /https?:\/\/[^\s"<>]+\/api\/subscribers\/confirm\?token=[^\s"<>]+/;
const SIGN_IN_LINK = /https?:\/\/[^\s"<>]+\/api\/members\/session\?token=[^\s"<>]+/;

export async function runScenario(context: ScenarioContext): Promise<void> {
  const { api, backend, lambda, sources, recorder, publication } = context;
  const check = recorder.check.bind(recorder);
  const series = required(publication.series[0], 'series in the publication').id;
  const site = localBucketName(siteBucket.id);
  const vault = localBucketName(vaultBucket.id);
  const subscribers = new SubscribersStore(backend.documents, localTableName(subscribersTable));

  // The one thing seeded directly: the first admin, as `npm start` bootstraps it. Everything else goes through the bundles.
  const admin = issueEditor('Verify admin', 'admin', new Date());
  await new EditorsStore(backend.documents, localTableName(editorsTable)).create(admin.record);
  const adminToken = admin.token;

  let editorToken: string | undefined;
  let revokedToken: string | undefined;
  const reports: StoredReport[] = [];
  let feedUrl: string | undefined;
  let confirmLink: string | undefined;
  let signInLink: string | undefined;
  let editionId: string | undefined;

  /** POST /api/reports; the 201 body names the report (id, slug), the title is the one submitted. */
  const submit = async (
    token: string,
    input: Record<string, unknown> & { title: string },
    headers: Record<string, string> = {},
  ): Promise<StoredReport> => {
    const answer = await api.request('POST', '/api/reports', { token, json: input, headers });
    expectStatus(answer, 201, `POST /api/reports "${input.title}"`);
    const { id, slug } = jsonOf<{ id: string; slug: string }>(answer, 'POST /api/reports');
    return { id, slug, title: input.title };
  };
  const progress = async (id: string) => {
    const answer = await api.request('GET', `/api/digests/${id}`, { token: adminToken });
    expectStatus(answer, 200, 'GET /api/digests/{id}');
    return jsonOf<{ status: string; recipients?: number; sent: number; bounced: number }>(answer, 'edition progress');
  };

  await check('health', 'routes', async () => {
    const answer = await api.request('GET', '/api/health');
    expectStatus(answer, 200, 'GET /api/health');
    expectThat(jsonOf<{ status?: string }>(answer, 'health').status === 'ok', `GET /api/health said ${answer.body}`);
    return 'GET /api/health 200 ok';
  });

  await check('editors-api', 'routes', async () => {
    const created = await api.request('POST', '/api/editors', {
      token: adminToken,
      json: { name: 'Verify Editor', role: 'editor' },
    });
    expectStatus(created, 201, 'POST /api/editors');
    editorToken = jsonOf<{ token: string }>(created, 'POST /api/editors').token;
    const second = await api.request('POST', '/api/editors', {
      token: adminToken,
      json: { name: 'Short-lived Editor', role: 'editor' },
    });
    expectStatus(second, 201, 'POST /api/editors');
    const { id, token } = jsonOf<{ id: string; token: string }>(second, 'POST /api/editors');
    const revoked = await api.request('DELETE', `/api/editors/${id}`, { token: adminToken });
    expectStatus(revoked, 200, 'DELETE /api/editors/{id}');
    revokedToken = token;
    return 'POST /api/editors 201 with a token, DELETE 200';
  });

  await check('media-api', 'routes', async () => {
    // A 1×1 PNG: announced, uploaded to the presigned URL the bundle signs, then checked by the bundle.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
      'base64',
    );
    const sha256 = createHash('sha256').update(png).digest('hex');
    const offered = await api.request('POST', '/api/media', {
      token: adminToken,
      json: { contentType: 'image/png', size: png.length, sha256 },
    });
    expectStatus(offered, 201, 'POST /api/media');
    const slot = jsonOf<{ uploadUrl: string; headers: Record<string, string>; name: string }>(
      offered,
      'POST /api/media',
    );
    const upload = await fetch(slot.uploadUrl, { method: 'PUT', headers: slot.headers, body: png });
    expectThat(upload.ok, `PUT to the presigned URL answered ${upload.status}: ${await upload.text()}`);
    const checked = await api.request('POST', `/api/media/${slot.name}/check`, { token: adminToken });
    expectStatus(checked, 200, 'POST /api/media/{name}/check');
    return 'POST /api/media 201 with a presigned PUT the upload used; the check read the image back: 200 verified';
  });

  await check('authorizer', 'authorizer', async () => {
    const decide = (method: string, path: string, token: string): Promise<Invocation> =>
      lambda.invoke('authorizer', api.authorizerRequest(method, path, token));
    // Refusals and the seeded admin first: they need nothing from an earlier step.
    for (const [what, token] of [
      ['a well-formed token nobody holds', issueEditor('Nobody', 'editor', new Date()).token],
      ['a malformed token', 'not-a-token'],
    ] as const) {
      const refused = await decide('GET', '/api/reports', token);
      expectThat(
        !refused.ok && refused.error.message === 'Unauthorized',
        `${what}: ${refused.ok ? JSON.stringify(refused.value) : `${refused.error.name}: ${refused.error.message}`}, expected the 'Unauthorized' error`,
      );
    }
    const allow = async (what: string, method: string, path: string, token: string, role: string): Promise<void> => {
      const decision = invocationValue(await decide(method, path, token), what) as {
        isAuthorized?: boolean;
        context?: { role?: string };
      };
      expectThat(decision.isAuthorized === true, `${what}: ${JSON.stringify(decision)}, expected isAuthorized true`);
      expectThat(decision.context?.role === role, `${what}: context ${JSON.stringify(decision.context)}`);
    };
    await allow('the admin on POST /api/editors', 'POST', '/api/editors', adminToken, 'admin');
    const editor = required(editorToken, 'editor token');
    await allow('an editor on POST /api/reports', 'POST', '/api/reports', editor, 'editor');
    for (const [what, method, path, token] of [
      ['an editor on an admin route', 'POST', '/api/editors', editor],
      ['a revoked editor', 'POST', '/api/reports', required(revokedToken, 'revoked token')],
    ] as const) {
      const denied = invocationValue(await decide(method, path, token), what) as { isAuthorized?: boolean };
      expectThat(denied.isAuthorized === false, `${what}: ${JSON.stringify(denied)}, expected isAuthorized false`);
    }
    return 'Unauthorized for unknown and malformed tokens; allows the admin and an editor (context role); isAuthorized false for an editor on an admin route and for a revoked one';
  });

  await check('reports-api', 'routes', async () => {
    const editor = required(editorToken, 'editor token');
    const key = randomUUID();
    const complimentary = {
      title: 'Tariff review opens in the Kestrel Valley',
      summary: 'The regulator opened its review of valley tariffs.',
      body: 'The regulator opened its review.\n\nHearings start in March.',
      tier: 'complimentary',
      series,
      tags: ['grid'],
    };
    const first = await submit(editor, complimentary, { 'idempotency-key': key });
    const replay = await submit(editor, complimentary, { 'idempotency-key': key });
    expectThat(replay.id === first.id, `an Idempotency-Key replay created ${replay.id} besides ${first.id}`);
    const subscriberDraft = {
      title: 'Who tripped the Brannock relay',
      summary: 'Operators confirmed three outages at Brannock.',
      body: `Operators confirmed three outages.\n\nThe filings arrived late.\n\n<!-- paywall -->\n\n${PAID_ONLY}\n\nMore follows.`,
      tier: 'subscriber',
      series,
      tags: ['grid'],
    };
    // The preview loads the feed renderers on its first call: the bundle must carry them for that import.
    const preview = await api.request('POST', '/api/reports/preview', { token: editor, json: subscriberDraft });
    expectStatus(preview, 200, 'POST /api/reports/preview');
    const { feedItem } = jsonOf<{ feedItem: Record<'free' | 'paid', { rss: string }> }>(preview, 'preview');
    expectThat(!feedItem.free.rss.includes(PAID_MARKER), 'the free feed item preview carries subscriber-only text');
    expectThat(feedItem.paid.rss.includes(PAID_MARKER), 'the paid feed item preview lacks the paid text');
    const subscriber = await submit(editor, subscriberDraft);
    reports.push(first, subscriber);
    const list = await api.request('GET', '/api/reports', { token: editor });
    expectStatus(list, 200, 'GET /api/reports');
    const { items } = jsonOf<{ items: { id: string }[] }>(list, 'GET /api/reports');
    expectThat(items.length === 2, `GET /api/reports listed ${items.length} reports, expected 2`);
    return 'POST /api/reports/preview 200 (feed items: paid text in the paid one only), POST /api/reports 201 ×2 (an Idempotency-Key replay returns the same report), GET /api/reports lists both';
  });

  await check('feed-publisher', 'stream', async () => {
    const delivered = await sources.deliverStream('feed-publisher');
    const rss = await objectText(backend, site, 'feeds/rss.xml');
    expectThat(rss !== undefined, 'no feeds/rss.xml in the site bucket');
    expectThat(!rss.includes(PAID_MARKER), 'feeds/rss.xml carries subscriber-only text');
    for (const report of reports) {
      expectThat(rss.includes(report.title), `feeds/rss.xml does not list "${report.title}"`);
      const page = await objectText(backend, site, `reports/${report.slug}/index.html`);
      expectThat(page?.includes(report.title) === true, `no page reports/${report.slug}/index.html with its title`);
      expectThat(!page.includes(PAID_MARKER), `reports/${report.slug}/index.html carries subscriber-only text`);
    }
    // Both reports are in the same series: its feed and page list both, from the bySeries index.
    const seriesRss = await objectText(backend, site, `feeds/series/${series}/rss.xml`);
    const seriesPage = await objectText(backend, site, `series/${series}/index.html`);
    expectThat(seriesRss !== undefined && seriesPage !== undefined, `no feeds or page of series ${series}`);
    for (const report of reports) {
      expectThat(seriesRss.includes(report.title), `feeds/series/${series}/rss.xml does not list "${report.title}"`);
      expectThat(seriesPage.includes(report.title), `series/${series}/index.html does not list "${report.title}"`);
    }
    expectThat(
      !seriesRss.includes(PAID_MARKER) && !seriesPage.includes(PAID_MARKER),
      'a series file carries paid text',
    );
    return `${delivered} stream records → feeds/rss.xml and the series feed and page list both reports, both pages written, no paid text`;
  });

  await check('private-feed-builder', 'stream', async () => {
    const delivered = await sources.deliverStream('private-feed-builder');
    const rss = await objectText(backend, vault, 'private-feeds/rss.xml');
    expectThat(rss?.includes(PAID_MARKER) === true, 'private-feeds/rss.xml is missing or lacks the paid text');
    return `${delivered} stream records → vault private-feeds/rss.xml with the full text`;
  });

  await check('subscribers-api', 'routes', async () => {
    for (const [email, tier] of [
      [READERS.paid, 'paid'],
      [READERS.free, 'free'],
      [READERS.bounce, 'free'],
    ] as const) {
      const put = await api.request('PUT', `/api/subscribers/${encodeURIComponent(email)}`, {
        token: adminToken,
        json: { tier, status: 'active' },
      });
      expectStatus(put, 200, `PUT /api/subscribers/{email} (${tier})`);
    }
    const signUp = await api.request('POST', '/api/subscribers', { json: { email: READERS.signUp } });
    expectStatus(signUp, 202, 'POST /api/subscribers');
    const queued = backend.queue(signUpQueue).size;
    expectThat(queued === 1, `the sign-up queue holds ${queued} messages after one sign-up, expected 1`);
    const url = await api.request('GET', `/api/subscribers/${encodeURIComponent(READERS.paid)}/feed-url`, {
      token: adminToken,
    });
    expectStatus(url, 200, 'GET /api/subscribers/{email}/feed-url');
    feedUrl = jsonOf<{ url: string }>(url, 'feed-url').url;
    return 'PUT 200 ×3, public sign-up 202 with one message queued, feed-url 200';
  });

  await check('private-feed', 'routes', async () => {
    const { pathname } = new URL(required(feedUrl, 'private feed URL'));
    const feed = await api.request('GET', pathname);
    expectStatus(feed, 200, 'GET /feeds/private/{token}/rss.xml');
    expectThat(feed.headers['content-type']?.startsWith('application/rss+xml') === true, 'not served as RSS');
    expectThat(feed.body.includes(PAID_MARKER), 'the private feed lacks the paid text');
    const token = required(pathname.split('/')[3], 'token in the feed URL');
    // Change a middle character: base64url's last one carries unused bits, so changing it may name the same bytes.
    const middle = Math.floor(token.length / 2);
    const forged = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
    const refused = await api.request('GET', pathname.replace(token, forged));
    expectStatus(refused, 404, 'a forged private feed token');
    expectThat(refused.body === '', 'the 404 for a forged token has a body');
    return 'the paid reader’s feed 200 RSS with the full text; a forged token 404 with no body';
  });

  await check('members', 'routes', async () => {
    const subscriber = required(reports[1], 'subscriber report');
    const login = await api.request('POST', '/api/members/login', {
      json: { email: READERS.paid, next: `/members/reports/${subscriber.slug}/` },
    });
    expectStatus(login, 202, 'POST /api/members/login');
    const preview = await api.request('GET', `/members/reports/${subscriber.slug}`);
    expectStatus(preview, 200, 'GET /members/reports/{slug} without a cookie');
    expectThat(!preview.body.includes(PAID_MARKER), 'the member page without a cookie carries subscriber-only text');
    expectThat(preview.headers['cache-control'] === 'private, no-store', 'the member page is not private, no-store');
    const queued = backend.queue(signUpQueue).size;
    expectThat(queued === 2, `the sign-up queue holds ${queued} messages after a sign-up and a login, expected 2`);
    return 'POST /api/members/login 202 with the sign-in queued; the member page without a cookie 200 preview, private';
  });

  await check('sign-up-worker', 'queue', async () => {
    const delivered = await sources.deliverQueue('sign-up-worker', signUpQueue);
    const mails = await sesMails(backend);
    const [mail, ...more] = mailsTo(mails, READERS.signUp);
    expectThat(
      mail !== undefined && more.length === 0,
      `${more.length + (mail ? 1 : 0)} confirmation mails, expected 1`,
    );
    confirmLink = CONFIRM_LINK.exec(mail.body.text ?? '')?.[0];
    expectThat(confirmLink !== undefined, 'the confirmation mail has no confirmation link');
    const pending = await subscribers.get(READERS.signUp);
    expectThat(pending?.status === 'pending', `the new reader is ${pending?.status ?? 'not stored'}, expected pending`);
    const signIns = mailsTo(mails, READERS.paid);
    expectThat(signIns.length === 1, `${signIns.length} sign-in mails to the paid reader, expected 1`);
    signInLink = SIGN_IN_LINK.exec(signIns[0]?.body.text ?? '')?.[0];
    expectThat(signInLink !== undefined, 'the sign-in mail has no sign-in link');
    return `${delivered} messages (a sign-up, a login) → one confirmation mail with its link, reader pending; one sign-in mail with its link`;
  });

  await check('members', 'routes', async () => {
    const subscriber = required(reports[1], 'subscriber report');
    const link = new URL(required(signInLink, 'sign-in link'));
    const confirm = await api.request('GET', `${link.pathname}${link.search}`);
    expectStatus(confirm, 200, 'GET /api/members/session');
    const token = required(link.searchParams.get('token') ?? undefined, 'token in the sign-in link');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ token, next: link.searchParams.get('next') ?? '' }).toString();
    const signedIn = await api.request('POST', '/api/members/session', { headers: form, body });
    expectStatus(signedIn, 303, 'POST /api/members/session');
    const cookie = /^dispatch_member=[^;]+/.exec(signedIn.headers['set-cookie'] ?? '')?.[0];
    expectThat(cookie !== undefined, `no session cookie set: ${signedIn.headers['set-cookie'] ?? 'no Set-Cookie'}`);
    const again = await api.request('POST', '/api/members/session', { headers: form, body });
    expectStatus(again, 400, 'the same sign-in link a second time');
    const full = await api.request('GET', `/members/reports/${subscriber.slug}`, { headers: { cookie } });
    expectStatus(full, 200, 'GET /members/reports/{slug} with the session cookie');
    expectThat(full.body.includes(PAID_MARKER), 'the signed-in paid reader does not get the paid text');
    return 'the mailed link: GET 200 confirm page, POST 303 with the session cookie (a second POST 400); the cookie reads the paid text';
  });

  await check('subscribers-api', 'routes', async () => {
    const link = new URL(required(confirmLink, 'confirmation link'));
    const page = await api.request('GET', `${link.pathname}${link.search}`);
    expectStatus(page, 200, 'GET /api/subscribers/confirm');
    expectThat(page.body.includes('Subscription confirmed'), 'the confirmation page does not confirm');
    const active = await subscribers.get(READERS.signUp);
    expectThat(active?.status === 'active', `after confirming the reader is ${active?.status ?? 'not stored'}`);
    return 'the mailed confirmation link 200 "Subscription confirmed", reader active';
  });

  await check('digests-api', 'routes', async () => {
    const preview = async (tier: 'free' | 'paid') => {
      const answer = await api.request('GET', `/api/digests/preview?tier=${tier}`, { token: adminToken });
      expectStatus(answer, 200, `GET /api/digests/preview?tier=${tier}`);
      return jsonOf<{ subject: string; html: string }>(answer, 'preview');
    };
    const paid = await preview('paid');
    const free = await preview('free');
    expectThat(paid.html.includes(PAID_MARKER), 'the paid preview lacks the paid text');
    expectThat(!free.html.includes(PAID_MARKER), 'the free preview carries subscriber-only text');
    expectThat(free.html.includes('Tariff review opens'), 'the free preview lacks the complimentary report');
    const draft = {
      title: 'Relay logs from Brannock, a draft',
      summary: 'A draft the editor previews as mail.',
      body: `Operators confirmed three outages.\n\nThe filings arrived late.\n\n<!-- paywall -->\n\n${PAID_ONLY}`,
      tier: 'subscriber',
      series,
      tags: ['grid'],
    };
    const token = required(editorToken, 'editor token');
    const block = await api.request('POST', '/api/digests/preview-report', { token, json: draft });
    expectStatus(block, 200, 'POST /api/digests/preview-report');
    const mail = jsonOf<Record<'free' | 'paid', { html: string; text: string }>>(block, 'preview-report');
    expectThat(mail.paid.html.includes(PAID_MARKER), 'the paid email block lacks the paid text');
    expectThat(!`${mail.free.html}${mail.free.text}`.includes(PAID_MARKER), 'the free email block carries paid text');
    const accepted = await api.request('POST', '/api/digests', { token: adminToken, json: {} });
    expectStatus(accepted, 202, 'POST /api/digests');
    editionId = jsonOf<{ id: string }>(accepted, 'POST /api/digests').id;
    const planned = backend.queue(planQueue).size;
    expectThat(planned === 1, `the plan queue holds ${planned} messages after POST /api/digests, expected 1`);
    return `MJML previews render from the bundle's templates (paid ${Math.round(paid.html.length / 1024)} KB with paid text, free without), an editor's draft as an email block too; POST /api/digests 202, one plan message`;
  });

  await check('digest-planner', 'queue', async () => {
    const id = required(editionId, 'edition id');
    const delivered = await sources.deliverQueue('digest-planner', planQueue);
    // Every report is in one series and every reader takes every series: one combination, that series.
    for (const tier of ['free', 'paid']) {
      const key = `editions/${id}/series/${series}/${tier}.json`;
      expectThat(
        (await objectText(backend, vault, key)) !== undefined,
        `no compiled ${tier} edition ${key} in the vault`,
      );
    }
    const freePage = required(await objectText(backend, site, `editions/${id}/index.html`), 'the free edition page');
    const paidPage = required(await objectText(backend, vault, `editions/${id}/page.html`), 'the paid edition page');
    const index = required(await objectText(backend, site, 'editions/index.html'), 'the editions index');
    expectThat(!freePage.includes(PAID_MARKER), 'the public edition page carries subscriber-only text');
    expectThat(paidPage.includes(PAID_MARKER), 'the paid edition page lacks the paid text');
    expectThat(index.includes(`/editions/${id}/`), 'the editions index does not link the edition');
    const batches = backend.queue(mailQueue).size;
    expectThat(batches > 0, 'the planner queued no mail batch');
    const planned = await progress(id);
    expectThat(planned.recipients === 4, `the edition has ${planned.recipients} recipients, expected 4`);
    return `${delivered} plan message → free and paid editions compiled with the bundle's MJML templates, edition pages written (public without paid text, paid in the vault), ${planned.recipients} recipients in ${batches} mail batch(es)`;
  });

  await check('mail-sender', 'queue', async () => {
    const id = required(editionId, 'edition id');
    const delivered = await sources.deliverQueue('mail-sender', mailQueue);
    const mails = await sesMails(backend);
    for (const email of Object.values(READERS)) {
      const digests = mailsTo(mails, email).filter((mail) => mail.subject.includes('Brannock'));
      expectThat(digests.length === 1, `${email} got ${digests.length} digests, expected 1`);
    }
    const [paidMail] = mailsTo(mails, READERS.paid).filter((mail) => mail.subject.includes('Brannock'));
    const [freeMail] = mailsTo(mails, READERS.free).filter((mail) => mail.subject.includes('Brannock'));
    expectThat(paidMail?.body.html?.includes(PAID_MARKER) === true, 'the paid digest lacks the paid text');
    expectThat(paidMail.body.html.includes('/feeds/private/'), 'the paid digest lacks the private feed link');
    const freeText = `${freeMail?.subject}\n${freeMail?.body.html}\n${freeMail?.body.text}`;
    expectThat(!freeText.includes(PAID_MARKER), 'the free digest carries subscriber-only text');
    const sent = await progress(id);
    expectThat(
      sent.status === 'sent' && sent.sent === 4,
      `edition ${sent.status} with ${sent.sent} sent, expected sent 4`,
    );
    return `${delivered} mail batch message(s) → 4 digests through SES (paid with full text and feed link, free without); edition sent`;
  });

  await check('ses-feedback', 'topic', async () => {
    const id = required(editionId, 'edition id');
    const invocations: Invocation[] = [];
    const problems: string[] = [];
    // The local stack's stand-in for SES event publishing: simulator bounces become the SNS event of the topic.
    const poller = new SesFeedbackPoller(
      () => backend.sesInbox(),
      async (event) => {
        const invocation = await lambda.invoke('ses-feedback', event);
        invocations.push(invocation);
        return invocationValue(invocation, 'SNS delivery');
      },
      { intervalMs: 60_000, log: (line) => problems.push(line) },
    );
    await poller.poll();
    expectThat(problems.length === 0, problems.join('; '));
    expectThat(invocations.length === 1, `${invocations.length} SNS deliveries for one simulator bounce, expected 1`);
    const bounced = await subscribers.get(READERS.bounce);
    expectThat(bounced?.status === 'bounced', `the bounced reader is ${bounced?.status ?? 'not stored'}`);
    const counted = await progress(id);
    expectThat(counted.bounced === 1, `the edition counts ${counted.bounced} bounces, expected 1`);
    return 'SNS bounce event → reader bounced, edition counts the bounce';
  });

  await check('digest-planner', 'schedule', async () => {
    const editor = required(editorToken, 'editor token');
    const late = await submit(editor, {
      title: 'Interconnector limits eased',
      summary: 'The northern interconnector is back to normal.',
      body: 'The northern interconnector is back to normal.',
      tier: 'complimentary',
      series,
    });
    const before = backend.queue(mailQueue).size;
    // Scheduler fires on a whole second and writes the time without milliseconds: wait for the next one, so the
    // report just submitted lies inside the window that ends then.
    const scheduledTime = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000);
    await new Promise((settle) => setTimeout(settle, scheduledTime.getTime() - Date.now()));
    const delivered = (await sources.fireSchedule('digest-planner', scheduledTime)) as number;
    const batches = backend.queue(mailQueue).size - before;
    expectThat(batches > 0, `the scheduled edition queued no mail batch for "${late.title}"`);
    return `the DigestSchedule input through the plan queue (${delivered} message) → a scheduled edition, ${batches} mail batch(es)`;
  });

  await check('release-sweeper', 'schedule', async () => {
    const editor = required(editorToken, 'editor token');
    const publishAt = new Date(Date.now() + 60_000);
    const scheduled = await submit(editor, {
      title: 'Scheduled outage briefing',
      summary: 'A briefing that goes live in a minute.',
      body: 'The briefing goes live on schedule.',
      tier: 'complimentary',
      series,
      publishAt: publishAt.toISOString(),
    });
    const counts = (await sources.fireSchedule('release-sweeper', new Date(publishAt.getTime() + 60_000))) as {
      published?: number;
      failed?: number;
    };
    expectThat(
      counts.published === 1 && counts.failed === 0,
      `the sweep answered ${JSON.stringify(counts)}, expected "${scheduled.title}" published`,
    );
    return 'the ReleaseSweepSchedule input a minute after publishAt → the scheduled report published';
  });

  const customer = `cus_verify${randomUUID().slice(0, 8)}`;
  const subscription = `sub_verify${randomUUID().slice(0, 8)}`;
  const eventTime = Math.floor(Date.now() / 1000) - 60;
  /** POST /api/billing/stripe with a Stripe event signed by the secret (the one in Secrets Manager by default). */
  const stripe = (
    type: string,
    object: Record<string, unknown>,
    created: number,
    secret = backend.stripeWebhookSecret,
  ) => {
    const payload = JSON.stringify({ id: `evt_${randomUUID()}`, object: 'event', type, created, data: { object } });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    return api.request('POST', '/api/billing/stripe', {
      body: payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    });
  };

  await check('billing-webhook', 'routes', async () => {
    const session = {
      id: `cs_${randomUUID()}`,
      object: 'checkout.session',
      customer,
      subscription,
      customer_details: { email: STRIPE_PAYER },
      payment_status: 'paid',
    };
    const forged = await stripe('checkout.session.completed', session, eventTime, 'whsec_not_the_secret');
    expectStatus(forged, 400, 'POST /api/billing/stripe signed with another secret');
    expectThat((await subscribers.get(STRIPE_PAYER)) === undefined, 'a wrongly signed checkout created a reader');
    const paid = await stripe('checkout.session.completed', session, eventTime);
    expectStatus(paid, 200, 'POST /api/billing/stripe checkout.session.completed');
    const reader = await subscribers.get(STRIPE_PAYER);
    expectThat(
      reader?.tier === 'paid' && reader.status === 'active',
      `the checkout left the reader ${reader?.tier}/${reader?.status}, expected paid/active`,
    );
    return 'Stripe-Signature checked with the secret from Secrets Manager: forged → 400; checkout → a paid active reader';
  });

  await check('billing-sweeper', 'schedule', async () => {
    const periodEnd = Math.floor(Date.now() / 1000) + 3600;
    const pastDue = await stripe(
      'customer.subscription.updated',
      { id: subscription, object: 'subscription', customer, status: 'past_due', current_period_end: periodEnd },
      eventTime + 30,
    );
    expectStatus(pastDue, 200, 'POST /api/billing/stripe customer.subscription.updated past_due');
    const counts = (await sources.fireSchedule('billing-sweeper', new Date((periodEnd + 60) * 1000))) as {
      ended?: number;
    };
    const reader = await subscribers.get(STRIPE_PAYER);
    expectThat(
      counts.ended === 1 && reader?.tier === 'free',
      `the sweep answered ${JSON.stringify(counts)} and left the reader ${reader?.tier}, expected 1 ended and free`,
    );
    return 'the BillingSweepSchedule input after a past-due period ended → the reader free';
  });
}
