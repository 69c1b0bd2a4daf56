import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lambdas/core/shared/errors';
import { ManagePreferences } from '../../lambdas/core/subscribers/manage-preferences';
import { managePages } from '../../lambdas/core/subscribers/manage-pages';
import { pageHtml } from '../../lambdas/core/subscribers/subscriber-pages';
import type { SubscribersRepository } from '../../lambdas/core/subscribers/subscriber-service';
import { SubscriberTokens } from '../../lambdas/core/subscribers/subscriber-tokens';
import type { Subscriber } from '../../lambdas/core/subscribers/subscribers';
import type { ApiEvent } from '../../lambdas/http/api';
import { manageAnswer, manageForm, manageRefusal } from '../../lambdas/http/manage-requests';
import { HOSTILE_TITLE, publication } from '../fixtures/digest-edition';

const now = new Date('2026-11-24T09:00:00Z');
const tokens = new SubscriberTokens('k'.repeat(40));
const ID = '01JD0000000000000000000001';
const token = tokens.manageToken(ID);
const [first = '', second = ''] = publication.series.map((series) => series.id);

const reader = (overrides: Partial<Subscriber> = {}): Subscriber => ({
  email: 'reader@example.org',
  subscriberId: ID,
  tier: 'paid',
  status: 'active',
  feedTokenVersion: 3,
  statusVersion: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

/** One stored subscriber; saves are conditional on the stored `updatedAt`, as the DynamoDB store's are. */
function store(initial: Subscriber | undefined) {
  let stored = initial;
  const saves: Subscriber[] = [];
  const repository: SubscribersRepository = {
    get: async () => stored,
    getBySubscriberId: async (id) => (stored?.subscriberId === id ? stored : undefined),
    save: async (next, previous) => {
      if (stored?.updatedAt !== previous?.updatedAt) return false;
      stored = next;
      saves.push(next);
      return true;
    },
  };
  return { repository, saves, current: () => stored };
}

function manage(initial: Subscriber | undefined = reader()) {
  const world = store(initial);
  return { ...world, desk: new ManagePreferences(world.repository, tokens, publication) };
}

describe('the manage workflow', () => {
  it('shows the stored choice and writes nothing', async () => {
    const { desk, saves } = manage(reader({ series: [second] }));
    expect(await desk.show(token, now)).toEqual({ outcome: 'choose', series: [second] });
    expect(saves).toEqual([]);
  });

  it('saves the chosen series, and an empty choice as none', async () => {
    const { desk, current } = manage();
    expect(await desk.submit(token, { action: 'save', series: [second] }, now)).toEqual({
      outcome: 'saved',
      series: [second],
    });
    expect(current()).toMatchObject({ series: [second], updatedAt: now.toISOString(), status: 'active' });
    expect(await desk.submit(token, { action: 'save', series: [] }, new Date(now.getTime() + 1))).toEqual({
      outcome: 'saved',
      series: [],
    });
    expect(current()?.series).toEqual([]);
  });

  it('stores every series ticked as no list at all, so later series are included', async () => {
    const { desk, current } = manage(reader({ series: [] }));
    expect(await desk.submit(token, { action: 'save', series: [second, first] }, now)).toEqual({ outcome: 'saved' });
    expect(current()).not.toHaveProperty('series');
  });

  it('writes nothing when the choice is what is stored', async () => {
    const { desk, saves } = manage(reader({ series: [first] }));
    expect(await desk.submit(token, { action: 'save', series: [first, first] }, now)).toMatchObject({
      outcome: 'saved',
    });
    expect(saves).toEqual([]);
  });

  it('unsubscribes by the unsubscribe rule: status and feed versions move on', async () => {
    const { desk, current } = manage();
    expect(await desk.submit(token, { action: 'unsubscribe' }, now)).toEqual({ outcome: 'unsubscribed' });
    expect(current()).toMatchObject({
      status: 'unsubscribed',
      statusReason: 'manage-page',
      statusVersion: 2,
      feedTokenVersion: 4,
    });
    expect(await desk.submit(token, { action: 'unsubscribe' }, now)).toEqual({ outcome: 'unsubscribed' });
  });

  it('changes nothing for a forged, foreign or unknown token', async () => {
    const { desk, saves } = manage();
    for (const bad of [
      new SubscriberTokens('z'.repeat(40)).manageToken(ID),
      tokens.unsubscribeToken(ID),
      tokens.manageToken('01JD0000000000000000000009'),
      undefined,
      'garbage',
    ]) {
      expect(await desk.show(bad, now)).toEqual({ outcome: 'invalid' });
      expect(await desk.submit(bad, { action: 'save', series: [first] }, now)).toEqual({ outcome: 'invalid' });
      expect(await desk.submit(bad, { action: 'unsubscribe' }, now)).toEqual({ outcome: 'invalid' });
    }
    expect(saves).toEqual([]);
  });

  it('refuses an unknown series naming the field, and changes nothing', async () => {
    const { desk, saves } = manage();
    const refused = desk.submit(token, { action: 'save', series: [first, 'retired'] }, now);
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toMatchObject({ fields: [{ field: 'series' }] });
    expect(saves).toEqual([]);
  });

  it('offers no choice to an address that gets no digest', async () => {
    for (const status of ['unsubscribed', 'bounced', 'complained'] as const) {
      const { desk, saves } = manage(reader({ status }));
      expect(await desk.show(token, now)).toEqual({ outcome: 'not-subscribed', status });
      expect(await desk.submit(token, { action: 'save', series: [first] }, now)).toEqual({
        outcome: 'not-subscribed',
        status,
      });
      expect(saves).toEqual([]);
    }
    expect(await manage(reader({ status: 'pending' })).desk.show(token, now)).toEqual({ outcome: 'choose' });
  });

  it('decides again when another write got in between', async () => {
    const world = store(reader());
    let raced = false;
    const racing: SubscribersRepository = {
      ...world.repository,
      save: async (next, previous) => {
        if (!raced) {
          raced = true;
          await world.repository.save({ ...reader(), tier: 'free', updatedAt: 'meanwhile' }, previous);
          return false;
        }
        return world.repository.save(next, previous);
      },
    };
    const desk = new ManagePreferences(racing, tokens, publication);
    expect(await desk.submit(token, { action: 'save', series: [first] }, now)).toMatchObject({ outcome: 'saved' });
    expect(world.current()).toMatchObject({ tier: 'free', series: [first] });
  });
});

const formEvent = (body: string, contentType?: string): ApiEvent =>
  ({
    body,
    isBase64Encoded: false,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  }) as unknown as ApiEvent;
const FORM = 'application/x-www-form-urlencoded';

describe('reading the posted form', () => {
  it('takes series repeated once per id, and nothing as none', () => {
    expect(manageForm(formEvent(`series=${first}&series=${second}&action=save`, FORM))).toEqual({
      action: 'save',
      series: [first, second],
    });
    expect(manageForm(formEvent('', FORM))).toEqual({ action: 'save', series: [] });
    expect(manageForm(formEvent(''))).toEqual({ action: 'save', series: [] });
    expect(manageForm(formEvent('action=save', `${FORM}; charset=UTF-8`))).toEqual({ action: 'save', series: [] });
  });

  it('takes the unsubscribe button, whatever else is ticked', () => {
    expect(manageForm(formEvent(`action=unsubscribe&series=${first}`, FORM))).toEqual({ action: 'unsubscribe' });
  });

  it('refuses a misspelt field, an unknown or repeated action and a malformed id, naming the field', () => {
    for (const [body, field] of [
      [`serie=${first}`, '(body)'],
      ['action=delete', 'action'],
      ['action=save&action=unsubscribe', 'action'],
      ['series=Grid%20Watch', 'series.0'],
    ] as const) {
      expect(() => manageForm(formEvent(body, FORM)), body).toThrow(InvalidInputError);
      try {
        manageForm(formEvent(body, FORM));
      } catch (error) {
        expect((error as InvalidInputError).fields[0]?.field).toBe(field);
      }
    }
  });

  it('refuses a body that is not the form encoding with 415', () => {
    expect(() => manageForm(formEvent(JSON.stringify({ series: [first] }), 'application/json'))).toThrow(
      expect.objectContaining({ status: 415 }),
    );
  });
});

describe('the pages', () => {
  const body = (result: { body?: string }) => result.body ?? '';

  it('offers one checkbox per series, ticked per the effective choice, posting to its own URL', () => {
    const html = body(manageAnswer(publication, token, { outcome: 'choose', series: [second] }, 200));
    expect(html).toContain(`<form method="post" action="/api/subscribers/manage?token=${token}">`);
    expect(html).toContain(`<input type="checkbox" name="series" value="${first}">`);
    expect(html).toContain(`<input type="checkbox" name="series" value="${second}" checked>`);
    expect(html).toContain('Sea Lanes follows cargo routes, port disputes &amp; sanctions from open sources.');
    expect(html).toContain('<button type="submit" name="action" value="unsubscribe">Unsubscribe</button>');
    expect(html).not.toMatch(/<script|reader@example\.org/);
    const all = body(manageAnswer(publication, token, { outcome: 'choose' }, 200));
    expect(all.match(/ checked>/g)).toHaveLength(2);
    expect(all).toContain('new series as they start');
    const none = body(manageAnswer(publication, token, { outcome: 'choose', series: [] }, 200));
    expect(none).not.toContain(' checked>');
    expect(none).toContain('you get no digest');
  });

  it('answers with headers that keep the page out of caches and indexes', () => {
    const result = manageAnswer(publication, token, { outcome: 'choose' }, 200);
    expect(result.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'private, no-store',
      'x-robots-tag': 'noindex',
    });
  });

  it('confirms what the reader will receive, or that no digest comes, with the way back', () => {
    const saved = body(manageAnswer(publication, token, { outcome: 'saved', series: [second] }, 409));
    expect(saved).toContain('<li>Sea Lanes</li>');
    expect(saved).not.toContain('Power Lines</li>');
    expect(saved).toContain(`href="/api/subscribers/manage?token=${token}"`);
    const none = manageAnswer(publication, token, { outcome: 'saved', series: [] }, 409);
    expect(none.statusCode).toBe(200);
    expect(body(none)).toContain('No series: you will get no digest.');
    expect(body(none)).toContain('Choose series again');
  });

  it('answers a bad link with 400 and nothing to act on', () => {
    const result = manageAnswer(publication, 'garbage', { outcome: 'invalid' }, 409);
    expect(result.statusCode).toBe(400);
    expect(body(result)).toContain('This link is not valid');
    expect(body(result)).not.toContain('<form');
  });

  it('answers "nothing to choose" with 200 to a GET and 409 to a POST', () => {
    const outcome = { outcome: 'not-subscribed', status: 'unsubscribed' } as const;
    expect(manageAnswer(publication, token, outcome, 200).statusCode).toBe(200);
    expect(manageAnswer(publication, token, outcome, 409).statusCode).toBe(409);
  });

  it('shows a refused post as a page naming the field, with the status of the error mapping', () => {
    const refusal = manageRefusal(
      publication,
      token,
      new InvalidInputError([{ field: 'series', message: 'unknown series "<b>"' }]),
    );
    expect(refusal.statusCode).toBe(422);
    expect(body(refusal)).toContain('series: unknown series &quot;&lt;b&gt;&quot;');
    expect(refusal.headers).toMatchObject({ 'cache-control': 'private, no-store' });
    expect(() => manageRefusal(publication, token, new Error('disk on fire'))).toThrow('disk on fire');
  });

  it('escapes every configured value', () => {
    const hostile = {
      ...publication,
      series: [{ ...publication.series[0], id: 'x', name: HOSTILE_TITLE, blurb: '"><img src=x>', link: 'https://x/' }],
    };
    const html = pageHtml(hostile, managePages.choose(hostile, token, undefined));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
  });
});
