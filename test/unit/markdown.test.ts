import { describe, expect, it } from 'vitest';
import { findImagesWithoutAlt, renderMarkdown } from '../../lambdas/core/shared/markdown';
import { stripXmlIllegal } from '../../lambdas/core/shared/text-safety';

const baseUrl = 'https://dispatch.test/reports/upper-basin-week-47/';
const render = (markdown: string) => renderMarkdown(markdown, { baseUrl });

/** Every URL-bearing attribute of the output, for "all URLs absolute" checks. */
const urlsIn = (html: string) => [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((match) => match[1] ?? '');
const tagsIn = (html: string) => [...html.matchAll(/<([a-z0-9]+)([^>]*)>/gi)].map((m) => ({ tag: m[1], attrs: m[2] }));

describe('renderMarkdown: structure', () => {
  it('keeps h2–h4 as written when the body has no h1', () => {
    expect(render('## Readings\n\n### Gauges\n\n#### North')).toBe(
      '<h2>Readings</h2>\n<h3>Gauges</h3>\n<h4>North</h4>\n',
    );
  });

  it('shifts every heading down one level when the body uses h1, keeping its hierarchy', () => {
    expect(render('# Upper basin\n\n## Gauges\n\n### North\n\n#### Detail')).toBe(
      '<h2>Upper basin</h2>\n<h3>Gauges</h3>\n<h4>North</h4>\n<h4>Detail</h4>\n',
    );
  });

  it('flattens h5 and h6 to h4', () => {
    expect(render('##### Deep\n\n###### Deeper')).toBe('<h4>Deep</h4>\n<h4>Deeper</h4>\n');
  });

  it('renders quotes, lists, emphasis, code and tables', () => {
    const html = render(
      [
        '> The weir held, *for now*.',
        '',
        '- north gauge',
        '- south gauge',
        '',
        '1. inspect',
        '2. **report**',
        '',
        'Run `level --station 12`.',
        '',
        '```text',
        'station,level',
        '```',
        '',
        '| station | level |',
        '|:--|--:|',
        '| 12 | 3.4 |',
      ].join('\n'),
    );
    expect(html).toContain('<blockquote>\n<p>The weir held, <em>for now</em>.</p>\n</blockquote>');
    expect(html).toContain('<ul>\n<li>north gauge</li>\n<li>south gauge</li>\n</ul>');
    expect(html).toContain('<ol>\n<li>inspect</li>\n<li><strong>report</strong></li>\n</ol>');
    expect(html).toContain('<code>level --station 12</code>');
    expect(html).toContain('<pre><code class="language-text">station,level\n</code></pre>');
    expect(html).toContain('<td>12</td>');
    // Alignment comes as style attributes, which are never allowed through.
    expect(html).not.toContain('style=');
  });

  it('uses typographic quotes but leaves (c) and -- as written', () => {
    expect(render('The "north" gauge (c) -- read daily.')).toBe(
      '<p>The \u201cnorth\u201d gauge (c) -- read daily.</p>\n',
    );
  });
});

describe('renderMarkdown: links and images', () => {
  it('resolves relative links and images against the base URL', () => {
    const html = render('See [the log](../log/?week=47#north) and ![Weir at dusk](img/weir.jpg) or [home](/).');
    expect(urlsIn(html)).toEqual([
      'https://dispatch.test/reports/log/?week=47#north',
      'https://dispatch.test/reports/upper-basin-week-47/img/weir.jpg',
      'https://dispatch.test/',
    ]);
    expect(html).toContain('alt="Weir at dusk"');
  });

  it('keeps absolute http(s) and mailto links and linkifies bare URLs', () => {
    const html = render('Data at https://data.example.org/basin?a=1&b=2 or [mail](mailto:desk@example.org).');
    expect(html).toContain('<a href="https://data.example.org/basin?a=1&amp;b=2">');
    expect(html).toContain('<a href="mailto:desk@example.org">mail</a>');
  });

  it('turns an image alone in its paragraph with a title into a figure with a caption', () => {
    expect(render('![Flooded meadow near the weir](meadow.jpg "The meadow on 12 November")')).toBe(
      '<figure><img alt="Flooded meadow near the weir" src="' +
        'https://dispatch.test/reports/upper-basin-week-47/meadow.jpg" />' +
        '<figcaption>The meadow on 12 November</figcaption></figure>\n',
    );
  });

  it('escapes caption text', () => {
    const html = render('![Gauge](g.jpg "Level <b>3.4</b> & rising")');
    expect(html).toContain('<figcaption>Level &lt;b&gt;3.4&lt;/b&gt; &amp; rising</figcaption>');
  });

  it('leaves an image without a title, or with text around it, inline', () => {
    expect(render('![Gauge](g.jpg)')).toBe(
      '<p><img alt="Gauge" src="https://dispatch.test/reports/upper-basin-week-47/g.jpg" /></p>\n',
    );
    expect(render('Before ![Gauge](g.jpg "Caption") after')).not.toContain('<figure>');
  });

  it('makes fragment links absolute only when asked', () => {
    const markdown = 'Levels rose.[^1]\n\n[^1]: Station log, sheet 4.';
    expect(urlsIn(render(markdown))).toEqual(['#fn1', '#fnref1']);
    expect(urlsIn(renderMarkdown(markdown, { baseUrl, absoluteFragments: baseUrl }))).toEqual([
      `${baseUrl}#fn1`,
      `${baseUrl}#fnref1`,
    ]);
  });
});

describe('renderMarkdown: footnotes', () => {
  const markdown = [
    'The north gauge rose 40 cm overnight[^log], the highest since 2019[^archive].',
    '',
    'A second mention of the log[^log].',
    '',
    '[^archive]: Basin archive, [annual tables](/archive/tables.pdf).',
    '[^log]: Station 12 log, 14 November.',
  ].join('\n');
  const html = render(markdown);

  it('numbers references in order of first use', () => {
    expect(html).toContain('<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>');
    expect(html).toContain('<sup class="footnote-ref"><a href="#fn2" id="fnref2">[2]</a></sup>');
    expect(html).toContain('<a href="#fn1" id="fnref1:1">[1:1]</a>');
  });

  it('lists the sources at the end under a heading, with back-links', () => {
    const section = html.slice(html.indexOf('<section'));
    expect(section).toMatch(/^<section class="footnotes">\n<h2>Sources<\/h2>\n<ol class="footnotes-list">/);
    expect(section).toContain('<li id="fn1" class="footnote-item"><p>Station 12 log, 14 November.');
    expect(section).toContain('<a href="#fnref1" class="footnote-backref">');
    expect(section).toContain('<a href="#fnref1:1" class="footnote-backref">');
    expect(section).toContain('<a href="https://dispatch.test/archive/tables.pdf">annual tables</a>');
    expect(html).not.toContain('<hr');
  });
});

describe('renderMarkdown: hostile input', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '',
    '<img src=x onerror=alert(1)>',
    '',
    '<iframe src="https://evil.example"></iframe> <p style="color:red" onclick="x()">styled</p>',
    '',
    '[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) [ent](&#106;avascript:alert(1))',
    '[vb](vbscript:msgbox(1)) [data](data:text/html;base64,PHNjcmlwdD4=)',
    '',
    '![pixel](data:image/png;base64,iVBORw0KGgo=) ![proto](//evil.example/x.png)',
    '',
    '<javascript:alert(1)> ]]> end of CDATA',
    '',
    'control\u0000 chars\u0007 and \uFFFF here',
  ].join('\n');
  const html = render(hostile);

  it('shows raw HTML as text instead of running it', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;iframe');
    expect(tagsIn(html).map(({ tag }) => tag)).not.toContain('script');
    expect(tagsIn(html).map(({ tag }) => tag)).not.toContain('iframe');
  });

  it('lets no event handler or style attribute through', () => {
    for (const { attrs } of tagsIn(html)) {
      expect(attrs).not.toMatch(/\son\w+=/i);
      expect(attrs).not.toMatch(/\sstyle=/i);
    }
  });

  it('never links to javascript:, vbscript: or data: and keeps every URL absolute', () => {
    for (const url of urlsIn(html)) expect(url).toMatch(/^https:\/\//);
    expect(html).not.toMatch(/href="(?:javascript|vbscript|data):/i);
    expect(html).not.toMatch(/src="(?:data|\/\/)/i);
  });

  it('resolves a protocol-relative image against the base URL scheme', () => {
    expect(urlsIn(render('![proto](//cdn.example/x.png)'))).toEqual(['https://cdn.example/x.png']);
  });

  it('keeps the text of a link whose URL markdown-it accepts but the allowlist does not', () => {
    expect(render('[pixel link](data:image/png;base64,iVBORw0KGgo=)')).toBe('<p>pixel link</p>\n');
  });

  it('drops an image whose source is unsafe rather than leave it broken', () => {
    expect(render('![pixel](data:image/png;base64,iVBORw0KGgo=)')).toBe('<p></p>\n');
  });

  it('never emits a CDATA terminator or an XML-illegal character', () => {
    expect(html).not.toContain(']]>');
    expect(html).toContain(']]&gt;');
    expect(stripXmlIllegal(html)).toBe(html);
  });

  it('keeps Arabic text, its direction marks and emoji intact', () => {
    const text = 'ارتفع منسوب المياه في المحطة ١٢ \u200f🌊 👩‍🔬';
    expect(render(text)).toBe(`<p>${text}</p>\n`);
  });
});

describe('findImagesWithoutAlt', () => {
  it('counts images with empty or blank alt text', () => {
    expect(findImagesWithoutAlt('![](a.png) and ![  ](b.png) and ![Weir](c.png)')).toBe(2);
  });

  it('finds them in links, quotes, lists and footnotes', () => {
    const markdown = [
      '[![](thumb.png)](full.png)',
      '',
      '> ![](quoted.png)',
      '',
      '- ![](listed.png)',
      '',
      'Cited.[^1]',
      '',
      '[^1]: ![](source.png)',
    ].join('\n');
    expect(findImagesWithoutAlt(markdown)).toBe(4);
  });

  it('reads alt text as plain text: emphasis counts, a title does not', () => {
    expect(findImagesWithoutAlt('![*Weir* at dusk](b.png)')).toBe(0);
    expect(findImagesWithoutAlt('![](a.png "A caption is not alt text")')).toBe(1);
  });

  it('ignores image syntax inside code and raw HTML images', () => {
    expect(findImagesWithoutAlt('`![](a.png)`\n\n```\n![](b.png)\n```\n\n<img src="c.png">')).toBe(0);
  });
});
