import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTempStack } from '../integration/harness';
import { consolePage, launchChromium, signIn } from './browser';

/**
 * Takes the README's picture of the console (`templates/console/screenshot.png`): a temp stack with two reports,
 * the report editor with its free and paid previews. Run with `npx tsx test/browser/screenshot.ts`.
 */
const OUT = fileURLToPath(new URL('../../templates/console/screenshot.png', import.meta.url));

const temp = await startTempStack({ console: true });
const browser = await launchChromium();
try {
  const post = (json: unknown) =>
    fetch(`${temp.stack.apiUrl}/api/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${temp.stack.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
  await post({
    title: 'Substation outages ripple through the Kestrel Valley network',
    summary: 'Three unplanned outages in nine days left the grid without reserve margin.',
    tier: 'complimentary',
    series: 'grid-watch',
    tags: ['outages', 'transmission'],
    body: 'The operator logged three unplanned outages between 3 and 11 November.',
  });
  const { page } = await consolePage(browser, { width: 1280, height: 820 });
  await signIn(page, temp.stack.apiUrl, temp.stack.adminToken);
  await page.click('text=New report');
  await page.fill('input[name=title]', 'Harbour pilots strike halts night arrivals at Port Ardent');
  await page.fill(
    'textarea[name=summary]',
    'Pilots walked out over night-shift staffing; arrivals after dark are suspended.',
  );
  await page.fill('input[name=tags]', 'ports, labour');
  await page.fill('input[name=authors]', 'Mara Quill');
  await page.fill(
    'textarea[name=body]',
    'Night arrivals at Port Ardent stopped on Tuesday when harbour pilots walked out.\n\n' +
      'The port authority says day traffic continues under a reduced schedule.\n\n<!-- paywall -->\n\n' +
      '## What the ledger shows\n\nThe pilots union ledger shows the strike fund covers nineteen more nights.\n',
  );
  await page.frameLocator('iframe[title="The report page as a paid reader sees it"]').locator('.paid-part').waitFor();
  await page.screenshot({ path: OUT });
  console.log(`wrote ${join(OUT)}`);
} finally {
  await browser.close();
  await temp.close();
}
