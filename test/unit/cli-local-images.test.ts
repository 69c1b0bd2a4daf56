import { describe, expect, it } from 'vitest';
import { findLocalImages, rewriteImages } from '../../local/cli/local-images';

describe('local images in a report body', () => {
  it('finds relative file destinations with their alt text and line', () => {
    const body = [
      'Intro ![Chart of outages](./chart.png) and ![A map](maps/valley%20map.webp "The valley").',
      '',
      '![](../shared/logo.gif)',
      '![Spaced](<./my photo.jpg>)',
    ].join('\n');
    expect(findLocalImages(body).map(({ alt, destination, path, line }) => ({ alt, destination, path, line }))).toEqual(
      [
        { alt: 'Chart of outages', destination: './chart.png', path: './chart.png', line: 1 },
        { alt: 'A map', destination: 'maps/valley%20map.webp', path: 'maps/valley map.webp', line: 1 },
        { alt: '', destination: '../shared/logo.gif', path: '../shared/logo.gif', line: 3 },
        { alt: 'Spaced', destination: './my photo.jpg', path: './my photo.jpg', line: 4 },
      ],
    );
  });

  it('leaves URLs, site paths, fragments, code blocks and code spans alone', () => {
    const body = [
      '![Remote](https://cdn.example.org/a.png) ![Proto](//cdn.example.org/b.png) ![Site](/media/c.png)',
      '![Data](data:image/png;base64,AAAA) ![Frag](#top) [link](./not-an-image.png)',
      'Write `![alt](./inline-code.png)` to add one.',
      '```markdown',
      '![In a fence](./fenced.png)',
      '```',
      '~~~~',
      '```',
      '![Still fenced](./fenced-2.png)',
      '~~~~',
      '![After](./after.png)',
    ].join('\n');
    expect(findLocalImages(body).map((ref) => ref.destination)).toEqual(['./after.png']);
  });

  it('rewrites only the destinations, byte for byte around them, titles kept', () => {
    const body = 'A ![One](./a.png "Caption") B ![Two](<./b c.jpg>)\r\n![One again](./a.png)\n';
    const urls: Record<string, string> = {
      './a.png': 'https://site/media/aaa.png',
      './b c.jpg': 'https://site/media/bbb.jpg',
    };
    const rewritten = rewriteImages(body, findLocalImages(body), (ref) => urls[ref.path] ?? '');
    expect(rewritten).toBe(
      'A ![One](https://site/media/aaa.png "Caption") B ![Two](https://site/media/bbb.jpg)\r\n' +
        '![One again](https://site/media/aaa.png)\n',
    );
  });
});
