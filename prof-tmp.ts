import { renderFeeds, mainFeedUrls } from './lambdas/core/feeds';
import { Feed } from 'feed';
import { hostileViews, testPublication, FIXED_UPDATED } from './test/fixtures/hostile-views';
const o = { publication: testPublication, title: 'x', description: 'y', selfUrls: mainFeedUrls(testPublication), updated: FIXED_UPDATED };
for (let i = 0; i < 20; i++) renderFeeds([...hostileViews], o);
let t = performance.now();
for (let i = 0; i < 100; i++) renderFeeds([...hostileViews], o);
console.log('render', (performance.now() - t) / 100);
t = performance.now();
for (let i = 0; i < 100; i++) { const f = new Feed({ title: 'x', id: 'y', link: 'https://x.org/' , copyright: ''}); for (let k=0;k<3;k++) f.addItem({ title: 'a', link: 'https://x.org/a', date: new Date(), content: 'x'.repeat(1000) }); f.rss2(); f.atom1(); }
console.log('feed lib', (performance.now() - t) / 100);
