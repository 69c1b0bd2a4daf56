import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../local/cli/main';
import { jpegImage, pngImage, sha256Hex } from '../fixtures/images';
import { startHarness, type Harness } from './harness';

let harness: Harness;
let dir: string;

beforeAll(async () => {
  harness = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'dispatch-cli-media-'));
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function dispatch(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    env: { DISPATCH_API_URL: harness.stack.apiUrl, DISPATCH_TOKEN: harness.stack.adminToken },
    cwd: dir,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { code, stdout, stderr };
}

function report(title: string, body: string, extraFrontMatter = ''): string {
  return [
    '---',
    `title: ${title}`,
    'summary: A report that carries its own pictures.',
    'tier: complimentary',
    'series: grid-watch',
    'tags: [media]',
    'authors: [Ines Varga]',
    ...(extraFrontMatter ? [extraFrontMatter] : []),
    '---',
    '',
    body,
  ].join('\n');
}

/** Whether the server already holds this image (a POST for it answers `exists`). */
async function stored(bytes: Uint8Array, contentType: string): Promise<boolean> {
  const response = await harness.api('/api/media', {
    method: 'POST',
    json: { contentType, size: bytes.length, sha256: sha256Hex(bytes) },
  });
  return response.status === 200;
}

describe('dispatch submit with local images', () => {
  it('uploads images next to the report, rewrites the links, and the page shows them from /media/', async () => {
    const photo = pngImage([220, 20, 60, 255]);
    const tile = jpegImage(64);
    await writeFile(join(dir, 'photo.png'), photo);
    await mkdir(join(dir, 'img'), { recursive: true });
    await writeFile(join(dir, 'img', 'tile.jpg'), tile);
    await writeFile(
      join(dir, 'report.md'),
      report(
        'Pictures from the Kestrel substation',
        [
          'The fence line at dusk, from the access road.',
          '',
          '![A red warning sign on the substation fence](./photo.png "Photo: Grid Watch")',
          '',
          'Inspection tiles, as the operator filed them: ![A grey inspection tile](img/tile.jpg). The same sign',
          'again: ![The warning sign, closer](photo.png).',
        ].join('\n'),
        'leadImage: { url: ./photo.png, alt: The substation fence with its warning sign }',
      ),
    );

    const first = await dispatch('submit', 'report.md');
    expect(first.code, first.stderr).toBe(0);
    const photoUrl = `${harness.stack.apiUrl}/media/${sha256Hex(photo)}.png`;
    const tileUrl = `${harness.stack.apiUrl}/media/${sha256Hex(tile)}.jpg`;
    // One upload per file, however often the report uses it.
    const imageLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('image '));
    expect(imageLines(first.stderr)).toEqual([
      `image ./photo.png: uploaded, ${photoUrl}`,
      `image img/tile.jpg: uploaded, ${tileUrl}`,
    ]);

    const pageUrl = /^url\s+(\S+)/m.exec(first.stdout)?.[1] ?? '';
    expect(pageUrl).toMatch(/\/reports\/pictures-from-the-kestrel-substation\/$/);
    await harness.stack.drain();
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain(`<img alt="A red warning sign on the substation fence" src="${photoUrl}" />`);
    expect(page).toContain(`<img alt="A grey inspection tile" src="${tileUrl}" />`);
    expect(page).toContain(`<img alt="The warning sign, closer" src="${photoUrl}" />`);
    expect(page).toContain(`<img src="${photoUrl}" alt="The substation fence with its warning sign">`);
    expect(page).toContain('Photo: Grid Watch');
    expect(page).not.toContain('./photo.png');
    expect(page).not.toContain('img/tile.jpg');

    for (const [url, bytes, type] of [
      [photoUrl, photo, 'image/png'],
      [tileUrl, tile, 'image/jpeg'],
    ] as const) {
      const image = await fetch(url);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe(type);
      expect(Buffer.from(await image.arrayBuffer()).equals(bytes)).toBe(true);
    }

    // The lead image went up too (it is the same file as the first body image).
    const id = /^created \S+ r1 \((\w+)\)$/m.exec(first.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    const detail = (await (await harness.api(`/api/reports/${id}`)).json()) as { leadImage?: { url: string } };
    expect(detail.leadImage?.url).toBe(photoUrl);

    // Run again: the images are already there, nothing is uploaded twice and the same report answers.
    const again = await dispatch('submit', 'report.md');
    expect(again.code, again.stderr).toBe(0);
    expect(imageLines(again.stderr)).toEqual([
      `image ./photo.png: already uploaded, ${photoUrl}`,
      `image img/tile.jpg: already uploaded, ${tileUrl}`,
    ]);
    // The same file corrects the same report (issue 14): nothing changed in it, yet it is one report, not two.
    expect(again.stdout).toContain(`(${id})`);
  });

  it('refuses a local image without alt text in one line naming the file line, before uploading anything', async () => {
    const photo = pngImage([0, 128, 0, 255]);
    await writeFile(join(dir, 'green.png'), photo);
    await writeFile(
      join(dir, 'no-alt.md'),
      report('A report with a bare image', 'One paragraph.\n\n![](./green.png)\n'),
    );
    const result = await dispatch('submit', 'no-alt.md');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    // Front matter is lines 1-8, a blank line 9, the body from line 10: the image is on line 12.
    expect(result.stderr).toContain('no-alt.md:12: image ./green.png has no alt text');
    expect(await stored(photo, 'image/png')).toBe(false);
  });

  it('refuses a missing file by name, and nothing is submitted', async () => {
    await writeFile(
      join(dir, 'missing.md'),
      report('A report whose picture went missing', 'Text.\n\n![A chart that is not there](./gone.png)\n'),
    );
    const result = await dispatch('submit', 'missing.md');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('missing.md:12: image ./gone.png cannot be read (no such file');
    const listed = await dispatch('reports', 'list');
    expect(listed.stdout).not.toContain('a-report-whose-picture-went-missing');
  });
});
