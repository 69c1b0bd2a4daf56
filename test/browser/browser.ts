import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's chromium (CI: `apt-get install -y chromium`). */
export const CHROMIUM = process.env.DISPATCH_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * A page that records every Content-Security-Policy refusal and uncaught error, so a test can assert the console
 * runs under its policy without tripping it.
 */
export async function consolePage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, problems };
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page and fails on any serious or critical violation. axe is evaluated through the
 * DevTools protocol rather than `addScriptTag`: the console's CSP refuses inline scripts, and that refusal is
 * what these pages must keep. Preview frames are sandboxed without scripts, so axe checks them from outside
 * (titles) and not inside: they show reader pages, which have tests of their own.
 */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  const installed = await page.evaluate('typeof window.axe === "object"');
  if (installed !== true) await page.evaluate(await axeSource);
  const violations = (await page.evaluate(
    'axe.run(document, { iframes: false, resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as AxeViolation[];
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
    );
  expect(serious, `axe on ${label}`).toEqual([]);
}

/**
 * Clicks once the element is in view and two frames have been drawn. The preview frames are sandboxed, so
 * Chromium runs them out of process; right after a scroll its hit test can still see a frame where the target
 * now is, and a plain `click` then lands in the frame.
 */
export async function clickSteadily(target: Locator): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  await target.page().evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
  await target.click();
}

/** Opens the console and signs in through its form (the hook outside checks use: `input[name=token]`). */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.fill('input[name=token]', token);
  await page.click('form button[type=submit]');
  await page.getByRole('heading', { name: 'Reports' }).waitFor();
}
