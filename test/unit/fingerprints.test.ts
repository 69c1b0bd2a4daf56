import { convert } from 'html-to-text';
import { describe, expect, it } from 'vitest';
import {
  MAX_FINGERPRINTS,
  fingerprintSubscriberPart,
  fingerprintText,
  findLeaks,
  wordsOf,
} from '../../lambdas/core/paywall/fingerprints';
import { renderMarkdown } from '../../lambdas/core/shared/markdown';
import { cutPreview } from '../../lambdas/core/paywall/preview-cut';

const baseUrl = 'https://dispatch.test/reports/lower-weir-inspection/';
const report = [
  '## Lower weir, week 47',
  '',
  'Water at the lower weir stood at 3.4 metres on Monday, the highest November reading since the gauge was installed.[^gauge]',
  '',
  'Inspectors walked the crest on Tuesday morning and reported no visible damage to the spillway or the fish pass.',
  '',
  '[^gauge]: Station 12 log, automatic readings.',
  '',
  '<!-- paywall -->',
  '',
  'The south abutment, however, showed seepage at three points, and the crew measured "twelve litres per second" at the largest one.[^memo]',
  '',
  '> Café owners by the river have been told to keep sandbags ready — بلاغ رسمي من البلدية — until the level falls.',
  '',
  'Repairs are planned for the dry season, but the engineers warned that a rise of forty centimetres could overtop the crest & flood the meadow <quickly>.',
  '',
  '[^memo]: Engineer’s field memo, 14 November, annex B.',
].join('\n');
const cut = cutPreview(report);
const fingerprints = fingerprintSubscriberPart(cut.subscriberMarkdown, cut.publicMarkdown);
const fullHtml = renderMarkdown(report, { baseUrl });
const paidHtml = renderMarkdown(cut.subscriberMarkdown, { baseUrl, absoluteFragments: baseUrl });
const publicHtml = renderMarkdown(cut.publicMarkdown, { baseUrl, absoluteFragments: baseUrl });

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** JSON with every non-ASCII character as a \u escape, as some serialisers write it. */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('wordsOf', () => {
  it('reads HTML as its visible text, entities decoded and footnote numbers dropped', () => {
    expect(
      wordsOf('<p>Flood &amp; drought at&nbsp;the <em>weir</em><sup class="footnote-ref"><a>[1]</a></sup></p>'),
    ).toEqual(['flood', 'drought', 'at', 'the', 'weir']);
  });

  it('treats escaped tags like tags, as the Markdown side sees them', () => {
    expect(wordsOf('<p>&lt;b&gt;bold&lt;/b&gt;</p>')).toEqual(wordsOf('<b>bold</b>'));
  });

  it('reads Markdown as its visible text: link targets and footnote labels are not words, captions are', () => {
    expect(wordsOf('**Weir** [log](https://x.example/log-2026) ![Gauge](g.png "Dawn reading")[^src-1]')).toEqual([
      'weir',
      'log',
      'gauge',
      'dawn',
      'reading',
    ]);
  });

  it('counts image alt text in HTML, as in Markdown', () => {
    expect(wordsOf('<img alt="Flooded meadow" src="https://x.example/m.jpg" />')).toEqual(['flooded', 'meadow']);
  });

  it('reads JSON as its string values, escapes decoded', () => {
    expect(
      wordsOf('{"version":"https://jsonfeed.org/version/1.1","items":[{"content_html":"caf\\u00e9 \\"quoted\\""}]}'),
    ).toEqual(['https', 'jsonfeed', 'org', 'version', '1', '1', 'café', 'quoted']);
  });

  it('reads XML through CDATA and through escaped HTML', () => {
    expect(wordsOf('<description><![CDATA[<p>Gauge rose]]></description>')).toEqual(['gauge', 'rose']);
    expect(wordsOf('<content type="html">&lt;p&gt;Gauge &amp;amp; weir&lt;/p&gt;</content>')).toEqual([
      'gauge',
      'weir',
    ]);
  });

  it('folds case, compatibility forms and accents written either way', () => {
    expect(wordsOf('ＬＥＶＥＬ Café CAFE\u0301')).toEqual(['level', 'café', 'café']);
  });

  it('keeps Arabic words with their vowel marks whole and ignores emoji', () => {
    expect(wordsOf('مُراقَبة المياه 🌊 👩‍🔬 ١٢')).toEqual(['مُراقَبة', 'المياه', '١٢']);
  });
});

describe('fingerprintText', () => {
  it('gives nothing for fewer than four words', () => {
    expect(fingerprintText('Levels rose sharply.')).toEqual([]);
  });

  it('gives one fingerprint for four to seven words, tagged with the word count', () => {
    const [only, ...rest] = fingerprintText('The weir held all night.');
    expect(rest).toEqual([]);
    expect(only).toMatch(/^[A-Za-z0-9_-]{11}5$/);
  });

  it('keeps about one shingle in four, as sorted unique 11-character strings, deterministically', () => {
    const text = Array.from({ length: 400 }, (_, i) => `gauge${i} reading`).join(' ');
    const result = fingerprintText(text);
    expect(result.length).toBeGreaterThan(793 * 0.15);
    expect(result.length).toBeLessThan(793 * 0.35);
    for (const fingerprint of result) expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect([...result].sort()).toEqual(result);
    expect(new Set(result).size).toBe(result.length);
    expect(fingerprintText(text)).toEqual(result);
  });

  it('gives the same fingerprints for the Markdown and its rendered HTML', () => {
    expect(fingerprintText(paidHtml)).toEqual(fingerprintText(cut.subscriberMarkdown));
  });

  it(`caps the list at ${MAX_FINGERPRINTS}`, () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `w${i}`).join(' ');
    expect(fingerprintText(text)).toHaveLength(MAX_FINGERPRINTS);
  });
});

describe('fingerprintSubscriberPart', () => {
  const shared =
    'Inspectors walked the crest on Tuesday morning and reported no visible damage to the spillway, the fish pass, ' +
    'the gate houses or the access road, although the upstream face was hard to see through the debris that the ' +
    'last flood had left against the trash rack.';

  it('leaves out shingles the public text has too', () => {
    const paid = `${shared} The south abutment leaked at three points and the crew sealed two of them by noon.`;
    const own = fingerprintSubscriberPart(paid, shared);
    expect(findLeaks(shared, fingerprintText(paid)).leaked).toBe(true);
    expect(findLeaks(shared, own).leaked).toBe(false);
    expect(findLeaks(paid, own).leaked).toBe(true);
    expect(own.every((fingerprint) => fingerprintText(paid).includes(fingerprint))).toBe(true);
  });

  it('gives nothing for a short subscriber part the public text already contains', () => {
    expect(fingerprintSubscriberPart('reported no visible damage', shared)).toEqual([]);
  });

  it('keeps the fingerprints to the subscriber part of the fixture report', () => {
    expect(fingerprints.length).toBeGreaterThan(5);
    expect(findLeaks(publicHtml, fingerprints)).toEqual({ hits: 0, leaked: false });
  });
});

describe('findLeaks', () => {
  it('finds nothing in the public artifacts of a subscriber report', () => {
    const notice = '<p>The full text of this report is available to subscribers.</p>';
    const rss = `<?xml version="1.0"?><rss><channel><item><description><![CDATA[${publicHtml}${notice}]]></description></item></channel></rss>`;
    expect(findLeaks(rss, fingerprints).leaked).toBe(false);
    expect(findLeaks(JSON.stringify({ items: [{ content_html: publicHtml + notice }] }), fingerprints).leaked).toBe(
      false,
    );
  });

  it.each([
    ['the full HTML', fullHtml],
    ['RSS with CDATA', `<rss><channel><item><description><![CDATA[${fullHtml}]]></description></item></channel></rss>`],
    [
      'RSS with escaped HTML',
      `<rss><channel><item><description>${escapeXml(fullHtml)}</description></item></channel></rss>`,
    ],
    ['Atom with escaped HTML', `<feed><entry><content type="html">${escapeXml(fullHtml)}</content></entry></feed>`],
    [
      'a JSON Feed',
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', items: [{ content_html: fullHtml }] }),
    ],
    ['a JSON Feed with \\u escapes', asciiJson({ items: [{ content_html: fullHtml, content_text: 'x' }] })],
    ['a plain-text mail', convert(fullHtml, { wordwrap: 72 })],
    ['the Markdown source', report],
  ])('finds the paid text in %s', (_, artifact) => {
    const scan = findLeaks(artifact, fingerprints);
    expect(scan.leaked).toBe(true);
    expect(scan.hits).toBeGreaterThan(fingerprints.length / 2);
  });

  it('finds a single leaked paragraph', () => {
    const paragraph = renderMarkdown(
      'Repairs are planned for the dry season, but the engineers warned that a rise of forty centimetres could overtop the crest & flood the meadow <quickly>.',
      { baseUrl },
    );
    expect(findLeaks(`${publicHtml}${paragraph}`, fingerprints).leaked).toBe(true);
  });

  it('counts distinct fingerprints, not occurrences', () => {
    expect(findLeaks(`${fullHtml}${fullHtml}`, fingerprints).hits).toBe(findLeaks(fullHtml, fingerprints).hits);
  });

  it('finds a short subscriber part, also in a list concatenated with other reports', () => {
    const short = fingerprintSubscriberPart('Sandbags stay until Friday.', 'Public preview text.');
    const all = [...fingerprints, ...short];
    expect(findLeaks('<p>Notice: sandbags stay until Friday.</p>', all)).toEqual({ hits: 1, leaked: true });
    expect(findLeaks('<p>Sandbags stay.</p>', all).leaked).toBe(false);
  });

  it('survives hostile and broken artifacts', () => {
    const hostile = `{"broken": "json ]]> \u0000\uFFFF \uD800 <script>alert(1)</script> &#x110000; &#0; &bogus;`;
    expect(findLeaks(hostile, fingerprints)).toEqual({ hits: 0, leaked: false });
    expect(findLeaks('', fingerprints)).toEqual({ hits: 0, leaked: false });
    expect(findLeaks(fullHtml, [])).toEqual({ hits: 0, leaked: false });
  });
});
