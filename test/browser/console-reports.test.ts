import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempStack, type TempStack } from '../integration/harness';
import { clickSteadily, consolePage, expectNoSeriousA11yViolations, launchChromium } from './browser';

/**
 * The editor console in Chromium against a local stack: sign in with a token, write a subscriber report with the
 * paywall marker and see the free and paid previews differ (page, feed item and email), publish it, find it in the list and in the public
 * feed, and sign out again. axe-core checks every view, once at 400 px wide too.
 */
const TITLE = 'Harbour pilots strike halts night arrivals at Port Ardent';
const PUBLIC_SENTENCE = 'Night arrivals at Port Ardent stopped on Tuesday when harbour pilots walked out.';
const SECOND_PUBLIC = 'The port authority says day traffic continues under a reduced schedule.';
const PAID_SENTENCE = 'The pilots union ledger shows the strike fund covers nineteen more nights of action.';
const BODY = `${PUBLIC_SENTENCE}\n\n${SECOND_PUBLIC}\n\n<!-- paywall -->\n\n## What the ledger shows\n\n${PAID_SENTENCE}\n`;

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let temp: TempStack;
let browser: Browser;
let page: Page;
let problems: string[];

const api = (path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> =>
  fetch(`${temp.stack.apiUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${temp.stack.adminToken}`,
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });

const rss = async (): Promise<string> => (await fetch(`${temp.stack.apiUrl}/feeds/rss.xml`)).text();

const frameText = (title: string): Promise<string> =>
  page.frameLocator(`iframe[title="${title}"]`).locator('body').innerText();

beforeAll(async () => {
  temp = await startTempStack({ console: true });
  browser = await launchChromium();
  ({ page, problems } = await consolePage(browser));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await temp?.close();
});

describe('the editor console', () => {
  it('opens on the sign-in form', async () => {
    await page.goto(`${temp.stack.apiUrl}/console/`);
    await expect.poll(() => page.locator('form input[name=token]').count()).toBe(1);
    expect(await page.locator('form button[type=submit]').count()).toBe(1);
    await expectNoSeriousA11yViolations(page, 'sign-in');
  });

  it('refuses a wrong token with a clear message and keeps nothing', async () => {
    await page.fill('input[name=token]', 'not-a-real-token');
    await page.click('form button[type=submit]');
    await expect.poll(() => page.locator('[role=alert]').innerText()).toMatch(/Could not sign in/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('signs in with an editor token kept in sessionStorage only, never in the URL', async () => {
    await page.fill('input[name=token]', temp.stack.adminToken);
    await page.click('form button[type=submit]');
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    expect(page.url()).not.toContain(temp.stack.adminToken);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([temp.stack.adminToken]);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await expectNoSeriousA11yViolations(page, 'reports list (empty)');
  });

  it('previews a subscriber report with the marker: the free page stops at the cut, the paid page marks the rest', async () => {
    await page.click('text=New report');
    await page.getByRole('heading', { name: 'New report' }).waitFor();
    await page.fill('input[name=title]', TITLE);
    await page.fill(
      'textarea[name=summary]',
      'Pilots walked out over night-shift staffing; arrivals after dark are suspended.',
    );
    await page.selectOption('select[name=tier]', 'subscriber');
    await page.fill('input[name=tags]', 'ports, labour');
    await page.fill('input[name=authors]', 'Mara Quill');
    await page.fill('textarea[name=body]', BODY);

    const free = 'The report page as a free reader sees it';
    const paid = 'The report page as a paid reader sees it';
    await page.locator(`iframe[title="${free}"]`).waitFor();
    await expect.poll(() => frameText(free)).toContain(PUBLIC_SENTENCE);
    const freeText = await frameText(free);
    const paidText = await frameText(paid);
    expect(freeText).not.toContain(PAID_SENTENCE);
    expect(freeText).toContain('available to subscribers');
    expect(paidText).toContain(PUBLIC_SENTENCE);
    expect(paidText).toContain(PAID_SENTENCE);
    expect(paidText).toMatch(/subscribers only from here/i);
    expect(await page.locator('.cut-summary').innerText()).toMatch(/at the paywall marker/);
    // The frames run no script and share nothing with the console.
    for (const title of [free, paid]) {
      expect(await page.locator(`iframe[title="${title}"]`).getAttribute('sandbox')).toBe('');
    }
    await expectNoSeriousA11yViolations(page, 'report editor with preview');
  });

  it('shows the feed item per tier: the rendered item and its RSS XML, the paid one marked where subscribers begin', async () => {
    await clickSteadily(page.getByRole('tab', { name: 'Feed item' }));
    expect(await page.getByRole('tab', { name: 'Feed item' }).getAttribute('aria-selected')).toBe('true');
    const free = 'The feed item as a free reader’s feed carries it';
    const paid = 'The feed item as a paid reader’s feed carries it';
    await page.locator(`iframe[title="${paid}"]`).waitFor();
    const freeText = await frameText(free);
    const paidText = await frameText(paid);
    expect(freeText).toContain(PUBLIC_SENTENCE);
    expect(freeText).toContain('available to subscribers');
    expect(freeText).not.toContain(PAID_SENTENCE);
    expect(freeText).not.toMatch(/subscribers only from here/i);
    expect(paidText).toContain(PAID_SENTENCE);
    expect(paidText).toMatch(/subscribers only from here/i);
    expect(freeText).not.toEqual(paidText);
    const freeXml = await page.getByRole('region', { name: /RSS item a free reader/ }).innerText();
    const paidXml = await page.getByRole('region', { name: /RSS item a paid reader/ }).innerText();
    expect(freeXml).toMatch(/^<item>[\s\S]*<\/item>$/);
    expect(freeXml).toContain(PUBLIC_SENTENCE);
    expect(freeXml).not.toContain(PAID_SENTENCE);
    expect(paidXml).toContain(PAID_SENTENCE);
    for (const title of [free, paid]) {
      expect(await page.locator(`iframe[title="${title}"]`).getAttribute('sandbox')).toBe('');
    }
    await expectNoSeriousA11yViolations(page, 'report editor, feed item preview');
  });

  it('shows the email per tier from the digest renderer: the marker in the paid one only', async () => {
    await clickSteadily(page.getByRole('tab', { name: 'Email' }));
    const free = 'The email as a free reader gets it';
    const paid = 'The email as a paid reader gets it';
    await page.locator(`iframe[title="${paid}"]`).waitFor();
    await expect.poll(() => frameText(free)).toContain(PUBLIC_SENTENCE);
    const freeText = await frameText(free);
    const paidText = await frameText(paid);
    expect(freeText).not.toContain(PAID_SENTENCE);
    expect(paidText).toContain(PAID_SENTENCE);
    expect(paidText).toMatch(/subscribers only from here/i);
    expect(freeText).not.toEqual(paidText);
    expect(await page.locator('#preview-panel figcaption').first().innerText()).toContain(TITLE);
    await clickSteadily(page.locator('#preview-panel summary').first());
    const plain = await page.getByRole('region', { name: 'The plain-text email a free reader gets' }).innerText();
    // The text part is wrapped at 78 columns.
    const freePlain = plain.replace(/\s+/g, ' ');
    expect(freePlain).toContain(PUBLIC_SENTENCE);
    expect(freePlain).not.toContain(PAID_SENTENCE);
    for (const title of [free, paid]) {
      expect(await page.locator(`iframe[title="${title}"]`).getAttribute('sandbox')).toBe('');
    }
    await expectNoSeriousA11yViolations(page, 'report editor, email preview');
    // Arrow keys move between the views, as a tab list's should.
    await page.getByRole('tab', { name: 'Email' }).press('Home');
    expect(await page.getByRole('tab', { name: 'Page' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Page');
  });

  it('shows the editor usable at 400 px wide, without sideways scrolling', async () => {
    const narrow = await consolePage(browser, { width: 400, height: 800 });
    try {
      await narrow.page.goto(`${temp.stack.apiUrl}/console/`);
      await narrow.page.fill('input[name=token]', temp.stack.adminToken);
      await narrow.page.click('form button[type=submit]');
      await narrow.page.getByRole('heading', { name: 'Reports' }).waitFor();
      await narrow.page.click('text=New report');
      await narrow.page.fill('input[name=title]', 'Narrow');
      await narrow.page.fill('textarea[name=summary]', 'Narrow summary');
      await narrow.page.fill('textarea[name=body]', BODY);
      await narrow.page.locator('iframe[title="The report page as a paid reader sees it"]').waitFor();
      expect(await narrow.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(400);
      const box = await narrow.page.locator('textarea[name=body]').boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(300);
      await expectNoSeriousA11yViolations(narrow.page, 'report editor at 400 px');
      for (const [tab, frame] of [
        ['Feed item', 'The feed item as a paid reader’s feed carries it'],
        ['Email', 'The email as a paid reader gets it'],
      ] as const) {
        await clickSteadily(narrow.page.getByRole('tab', { name: tab }));
        await narrow.page.locator(`iframe[title="${frame}"]`).waitFor();
        expect(await narrow.page.evaluate('document.documentElement.scrollWidth'), tab).toBeLessThanOrEqual(400);
        await expectNoSeriousA11yViolations(narrow.page, `${tab} preview at 400 px`);
      }
      expect(narrow.problems).toEqual([]);
    } finally {
      await narrow.page.context().close();
    }
  });

  it('publishes the report, lists it with its status, finds it by tag, and puts it in the public feed', async () => {
    await clickSteadily(page.locator('button[type=submit]:has-text("Publish report")'));
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/Created/);
    expect(page.url()).toMatch(/#\/reports\/[0-9A-Z]{26}$/);

    await clickSteadily(page.locator('text=Back to reports'));
    const line = page.locator('.report-line', { hasText: TITLE });
    await line.waitFor();
    expect(await line.locator('.report-title').innerText()).toBe(TITLE);
    expect(await line.locator('.status').innerText()).toBe('Live');
    await page.fill('input[type=search]', 'labour');
    expect(await page.locator('.report-line').count()).toBe(1);
    await page.fill('input[type=search]', 'no-such-tag');
    expect(await page.locator('.report-line').count()).toBe(0);
    await page.fill('input[type=search]', '');
    await expectNoSeriousA11yViolations(page, 'reports list');

    await temp.stack.drain();
    const feed = await rss();
    expect(feed).toContain(TITLE);
    expect(feed).toContain(PUBLIC_SENTENCE);
    expect(feed).not.toContain(PAID_SENTENCE);
  });

  it('corrects the report with its revision', async () => {
    await clickSteadily(page.locator('.report-title', { hasText: TITLE }));
    await page.getByRole('heading', { name: `Edit: ${TITLE}` }).waitFor();
    await page.fill('input[name=tags]', 'ports, labour, strikes');
    await clickSteadily(page.locator('button:has-text("Save correction")'));
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/Updated to revision 2/);
    await expectNoSeriousA11yViolations(page, 'report editor (correction)');
  });

  it('refuses to overwrite a newer revision saved elsewhere, and says so', async () => {
    const id = /#\/reports\/([0-9A-Z]{26})$/.exec(page.url())?.[1] ?? '';
    const stored = (await (await api(`/api/reports/${id}`)).json()) as Record<string, unknown> & { revision: number };
    const { title, summary, tier, series, tags, authors, body } = stored;
    const elsewhere = await api(`/api/reports/${id}`, {
      method: 'PUT',
      headers: { 'if-match': `"${stored.revision}"` },
      json: { title, summary, tier, series, tags, authors, body, freeAfter: 'P60D' },
    });
    expect(elsewhere.status).toBe(200);
    await page.fill('input[name=authors]', 'Mara Quill, Ivo Brandt');
    await clickSteadily(page.locator('button:has-text("Save correction")'));
    await expect.poll(() => page.locator('[role=alert]').first().innerText()).toMatch(/newer revision/);
    await clickSteadily(page.locator('button:has-text("Load their revision")'));
    await expect.poll(() => page.locator('input[name=freeAfter]').inputValue()).toBe('P60D');
  });

  it('unpublishes the report, which leaves the feed, and republishes it by saving again', async () => {
    await clickSteadily(page.locator('button:has-text("Unpublish")'));
    await clickSteadily(page.locator('button:has-text("Confirm unpublish")'));
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/^Unpublished/);
    expect(await page.locator('.report-facts .status').innerText()).toBe('Unpublished');
    await temp.stack.drain();
    expect(await rss()).not.toContain(TITLE);

    await clickSteadily(page.locator('button:has-text("Save and republish")'));
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/Updated to revision 5/);
    expect(await page.locator('.report-facts .status').innerText()).toBe('Live');
    await temp.stack.drain();
    expect(await rss()).toContain(TITLE);
  });

  it('schedules a report with freeAfter: the list shows it scheduled, and when it becomes free', async () => {
    await clickSteadily(page.locator('text=Back to reports'));
    await clickSteadily(page.locator('text=New report'));
    await page.fill('input[name=title]', 'Scheduled: the winter tariff review');
    await page.fill('textarea[name=summary]', 'What the regulator will decide in March.');
    await page.fill('input[name=publishAt]', '2031-03-01T09:00');
    await page.fill('input[name=freeAfter]', 'P30D');
    await page.fill('textarea[name=body]', BODY);
    await clickSteadily(page.locator('button[type=submit]:has-text("Publish report")'));
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/Created/);
    expect(await page.locator('.report-facts .status').innerText()).toBe('Scheduled');
    expect(await page.locator('.report-facts').innerText()).toMatch(/free from .*2031/);
    await clickSteadily(page.locator('text=Back to reports'));
    const line = page.locator('.report-line', { hasText: 'Scheduled: the winter tariff review' });
    await line.waitFor();
    expect(await line.locator('.status').innerText()).toBe('Scheduled');
    expect(await line.locator('.meta').innerText()).toMatch(/go-live .*2031/);
    await temp.stack.drain();
    expect(await rss()).not.toContain('the winter tariff review');
  });

  it('uploads an image into the body at the caret, with its alt text', async () => {
    await clickSteadily(page.locator('.report-title', { hasText: TITLE }));
    await page.getByRole('heading', { name: `Edit: ${TITLE}` }).waitFor();
    await page.setInputFiles('#f-image', { name: 'chart.png', mimeType: 'image/png', buffer: PNG });
    await page.fill('#f-image-alt', 'Pilot boats moored at the Ardent quay');
    await clickSteadily(page.locator('button:has-text("Upload and insert")'));
    await expect
      .poll(() => page.locator('textarea[name=body]').inputValue())
      .toMatch(/!\[Pilot boats moored at the Ardent quay\]\(http[^)]+\/media\/[0-9a-f]{64}\.png\)/);
    const url = /\((http[^)]+\/media\/[0-9a-f]{64}\.png)\)/.exec(
      await page.locator('textarea[name=body]').inputValue(),
    )?.[1];
    const image = await fetch(url ?? '');
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
  });

  it('signs out and forgets the token', async () => {
    await clickSteadily(page.locator('button:has-text("Sign out")'));
    await page.locator('input[name=token]').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('ran without a single CSP refusal or script error', () => {
    expect(problems).toEqual([]);
  });
});
