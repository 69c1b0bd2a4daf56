import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempStack, type TempStack } from '../integration/harness';
import { clickSteadily, consolePage, expectNoSeriousA11yViolations, launchChromium, signIn } from './browser';

/**
 * The admin views of the console in Chromium against a local stack: digests (the next edition per tier, a test
 * send, sending with live progress, pause and resume), subscribers (add, search, change tier, CSV import with
 * rejected rows) and editors (create with the token shown once, an editor's narrower console, revoke).
 */
const PAID_SENTENCE = 'Ledger entries show the dredging contract was awarded before the tender closed.';
const READERS = Array.from({ length: 40 }, (_, i) => `reader${String(i).padStart(2, '0')}@admin-console.test`);

interface StoredMail {
  destination: { to: string[] };
  subject: string;
}

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
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });

async function mails(): Promise<StoredMail[]> {
  return ((await (await fetch(`${temp.stack.sesUrl}/store`)).json()) as { emails: StoredMail[] }).emails;
}

beforeAll(async () => {
  temp = await startTempStack({ console: true });
  const report = await api('/api/reports', {
    method: 'POST',
    json: {
      title: 'Dredging contract awarded before tender closed',
      summary: 'Port Ardent signed with a dredger two days early.',
      tier: 'subscriber',
      series: 'harbour-ledger',
      body: `The port authority signed on Monday.\n\nThe tender closed on Wednesday.\n\n<!-- paywall -->\n\n${PAID_SENTENCE}\n`,
    },
  });
  expect(report.status).toBe(201);
  for (const [index, email] of READERS.entries()) {
    const answer = await api(`/api/subscribers/${encodeURIComponent(email)}`, {
      method: 'PUT',
      json: { tier: index % 2 === 0 ? 'paid' : 'free', status: 'active' },
    });
    expect(answer.status).toBe(200);
  }
  await temp.stack.drain();
  browser = await launchChromium();
  ({ page, problems } = await consolePage(browser));
  await signIn(page, temp.stack.apiUrl, temp.stack.adminToken);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await temp?.close();
});

describe('digests', () => {
  it('shows the next edition as each tier gets it: only the paid mail carries the subscriber-only text', async () => {
    await clickSteadily(page.getByRole('link', { name: 'Digests' }));
    const free = 'The digest email as free readers get it';
    const paid = 'The digest email as paid readers get it';
    await page.locator(`iframe[title="${paid}"]`).waitFor();
    const text = (title: string) => page.frameLocator(`iframe[title="${title}"]`).locator('body').innerText();
    await expect.poll(() => text(paid)).toContain(PAID_SENTENCE);
    expect(await text(free)).not.toContain(PAID_SENTENCE);
    expect(await text(free)).toContain('Dredging contract awarded before tender closed');
    expect(await page.locator('.edition-reports').innerText()).toContain(
      'Dredging contract awarded before tender closed',
    );
    for (const title of [free, paid]) {
      expect(await page.locator(`iframe[title="${title}"]`).getAttribute('sandbox')).toBe('');
    }
    await expectNoSeriousA11yViolations(page, 'digests');
  });

  it('test-sends the paid mail to one address, which the SES emulator shows with a [Test] subject', async () => {
    await page.fill('#test-email', 'proof@admin-console.test');
    await page.selectOption('#test-tier', 'paid');
    await clickSteadily(page.locator('button:has-text("Send test")'));
    await expect.poll(() => page.locator('.test-send [role=status]').innerText()).toMatch(/Sent “\[Test\] /);
    const test = (await mails()).filter((mail) => mail.destination.to.includes('proof@admin-console.test'));
    expect(test).toHaveLength(1);
    expect(test[0]?.subject).toMatch(/^\[Test\] /);
  });

  it('sends the edition and follows its progress live, with pause and resume', async () => {
    await clickSteadily(page.locator('button:has-text("Send this edition to every subscriber")'));
    await clickSteadily(page.locator('button:has-text("Confirm: send now")'));
    await page.getByRole('heading', { name: /^Edition / }).waitFor();
    await clickSteadily(page.locator('button:has-text("Pause")'));
    await expect.poll(() => page.locator('.edition-status').textContent()).toBe('paused');
    await expectNoSeriousA11yViolations(page, 'digest progress (paused)');
    await clickSteadily(page.locator('button:has-text("Resume")'));
    await expect
      .poll(() => page.locator('.edition-status').textContent(), { timeout: 90_000, interval: 500 })
      .toMatch(/^sent/);
    expect(await page.locator('label[for=edition-bar]').innerText()).toBe(
      `${READERS.length} of ${READERS.length} readers handled`,
    );
    const edition = (await mails()).filter((mail) => mail.destination.to.some((to) => READERS.includes(to)));
    expect(new Set(edition.map((mail) => mail.destination.to[0])).size).toBe(READERS.length);
  });
});

describe('subscribers', () => {
  it('adds a subscriber', async () => {
    await clickSteadily(page.getByRole('link', { name: 'Subscribers' }));
    await page.fill('#add-email', 'Ann+Console@Example.org');
    await page.selectOption('#add-tier', 'free');
    await clickSteadily(page.locator('button:has-text("Add")'));
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/active free subscriber/);
    await expectNoSeriousA11yViolations(page, 'subscribers');
  });

  it('finds a subscriber by address prefix and changes the tier', async () => {
    await page.fill('#subscriber-q', 'ann+');
    await clickSteadily(page.locator('button:has-text("Search")'));
    const tier = page.getByLabel('Tier of ann+console@example.org');
    await tier.waitFor();
    await tier.selectOption('paid');
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/is now paid/);
    const answer = (await (await api('/api/subscribers?q=ann%2B')).json()) as { items: { tier: string }[] };
    expect(answer.items.map((item) => item.tier)).toEqual(['paid']);
  });

  it('changes the series a subscriber receives; ticking every series again stores every series', async () => {
    const harbour = page.getByLabel('Harbour Ledger for ann+console@example.org');
    await harbour.waitFor();
    expect(await harbour.isChecked()).toBe(true);
    await harbour.uncheck();
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/now receives Grid Watch\./);
    const stored = async () =>
      ((await (await api('/api/subscribers?q=ann%2B')).json()) as { items: { series: string[] | null }[] }).items[0]
        ?.series;
    expect(await stored()).toEqual(['grid-watch']);
    await harbour.check();
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/every series, new ones too/);
    expect(await stored()).toBeNull();
    await expectNoSeriousA11yViolations(page, 'subscribers with series');
  });

  it('imports a CSV by the CLI rules, with progress and the rejected rows listed by line', async () => {
    const csv =
      'email,tier\nbo@import.test,paid\nnot-an-address,free\ncy@import.test,gold\ndee@import.test,\nbo@import.test,free\n';
    await page.setInputFiles('#import-file', { name: 'readers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await clickSteadily(page.locator('button:has-text("Import")'));
    await expect
      .poll(() => page.locator('.import-progress + [role], [role=status]:has-text("Imported")').first().innerText())
      .toMatch(/Imported 2, rejected 3/);
    const rows = await page.locator('table:has(caption:text("Rejected rows")) tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t')[0])).toEqual(['3', '4', '6']);
    expect(rows.join('\n')).toMatch(/not a valid email address/);
    expect(rows.join('\n')).toMatch(/tier must be one of/);
    expect(rows.join('\n')).toMatch(/duplicate of line 2/);
    expect(await page.locator('#import-bar').getAttribute('value')).toBe('2');
    await expectNoSeriousA11yViolations(page, 'subscribers after an import');
    // The rows really arrived: the paid one can get a private feed URL, which only an active paid reader has.
    expect((await api(`/api/subscribers/${encodeURIComponent('bo@import.test')}/feed-url`)).status).toBe(200);
  });
});

describe('editors', () => {
  let token = '';

  it('creates an editor and shows the token once', async () => {
    await clickSteadily(page.getByRole('link', { name: 'Editors' }));
    await page.fill('#editor-name', 'Pat Lee');
    await page.selectOption('#editor-role', 'editor');
    await clickSteadily(page.locator('button:has-text("Create")'));
    await page.locator('#new-token').waitFor();
    token = await page.locator('#new-token').inputValue();
    expect(token.length).toBeGreaterThan(20);
    await expectNoSeriousA11yViolations(page, 'editors with a new token');
    await clickSteadily(page.locator('button:has-text("I have passed it on")'));
    expect(await page.locator('#new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(token);
  });

  // The console tells an editor from an admin by GET /api/editors (admin-only: 403 for an editor).
  it('gives an editor token the reports only, without the admin views', async () => {
    const other = await consolePage(browser);
    try {
      await signIn(other.page, temp.stack.apiUrl, token);
      expect(await other.page.getByRole('navigation', { name: 'Console' }).innerText()).toBe('Reports');
      await other.page.goto(`${temp.stack.apiUrl}/console/#/editors`);
      await other.page.locator('text=This part of the console is for admins.').waitFor();
      await expectNoSeriousA11yViolations(other.page, 'editor console');
      expect(other.problems).toEqual([]);
    } finally {
      await other.page.context().close();
    }
  });

  it('revokes the editor', async () => {
    await clickSteadily(page.locator('button:has-text("Revoke Pat Lee")'));
    await clickSteadily(page.locator('button:has-text("Confirm: revoke Pat Lee")'));
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/can no longer sign in/);
    const refused = await fetch(`${temp.stack.apiUrl}/api/reports`, { headers: { authorization: `Bearer ${token}` } });
    expect([401, 403]).toContain(refused.status);
    await expectNoSeriousA11yViolations(page, 'editors');
  });
});

it('ran every admin view without a CSP refusal or script error', () => {
  expect(problems).toEqual([]);
});
