/**
 * Renders the hostile feed fixtures to files for the outside check (check_feeds.py, python3-feedparser), which
 * CI runs after `npm test`. Usage: npx tsx test/outside/render-feed-fixtures.ts OUT_DIR
 * Writes rss.xml, atom.xml and feed.json, and prints the check command with the expected entry count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mainFeedUrls } from '../../lambdas/core/shared/reader-urls';
import { renderFeeds } from '../../lambdas/core/site/feeds/render-feeds';
import { FIXED_UPDATED, hostileViews, testPublication } from '../fixtures/hostile-views';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: npx tsx test/outside/render-feed-fixtures.ts OUT_DIR');
  process.exit(2);
}

const feeds = renderFeeds([...hostileViews], {
  publication: testPublication,
  title: `${testPublication.name} <all reports> & more ]]>`,
  description: 'Every report, hostile fixtures included.',
  selfUrls: mainFeedUrls(testPublication),
  updated: FIXED_UPDATED,
});

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'rss.xml'), feeds.rss);
writeFileSync(join(outDir, 'atom.xml'), feeds.atom);
writeFileSync(join(outDir, 'feed.json'), feeds.json);
console.log(`Wrote ${hostileViews.length} entries to ${outDir}. Check with:`);
console.log(
  `python3 test/outside/check_feeds.py --entries ${hostileViews.length} ${['rss.xml', 'atom.xml', 'feed.json'].map((file) => join(outDir, file)).join(' ')}`,
);
