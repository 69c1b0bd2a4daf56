import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_CACHE_CONTROL } from '../../lambdas/core/media/media-names';
import { MAX_MEDIA_BYTES } from '../../lambdas/core/media/image-types';
import { jpegImage, pngImage, sha256Hex } from '../fixtures/images';
import { presignedRequestVerifies } from '../fixtures/sigv4-presigned';
import { startHarness, type Harness } from './harness';

let harness: Harness;
const accessLog: string[] = [];

beforeAll(async () => {
  harness = await startHarness({ log: (line) => accessLog.push(line) });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

interface UploadSlotAnswer {
  status: 'upload';
  uploadUrl: string;
  method: 'PUT';
  headers: Record<string, string>;
  name: string;
  key: string;
  url: string;
  expiresAt: string;
}

interface ErrorAnswer {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

const announce = (bytes: Uint8Array, contentType = 'image/png') => ({
  contentType,
  size: bytes.length,
  sha256: sha256Hex(bytes),
});

async function requestSlot(body: unknown): Promise<UploadSlotAnswer> {
  const response = await harness.api('/api/media', { method: 'POST', json: body });
  expect(response.status).toBe(201);
  return (await response.json()) as UploadSlotAnswer;
}

function put(slot: UploadSlotAnswer, bytes: Uint8Array, headers: Record<string, string> = slot.headers) {
  return fetch(slot.uploadUrl, { method: slot.method, headers, body: bytes });
}

const check = (name: string, token?: string | null) =>
  harness.api(`/api/media/${name}/check`, { method: 'POST', ...(token === undefined ? {} : { token }) });

const fieldsOf = async (response: Response): Promise<string[]> =>
  ((await response.json()) as ErrorAnswer).error.fields?.map((field) => field.field) ?? [];

describe('POST /api/media', () => {
  it('answers a presigned PUT into media/ under the content address; the upload is checked and served from /media/', async () => {
    const image = pngImage([200, 30, 30, 255]);
    const sha256 = sha256Hex(image);
    const slot = await requestSlot(announce(image));
    expect(slot).toMatchObject({
      status: 'upload',
      method: 'PUT',
      name: `${sha256}.png`,
      key: `media/${sha256}.png`,
      url: `${harness.stack.apiUrl}/media/${sha256}.png`,
      headers: {
        'content-type': 'image/png',
        'content-length': String(image.length),
        'cache-control': MEDIA_CACHE_CONTROL,
        'x-amz-checksum-sha256': Buffer.from(sha256, 'hex').toString('base64'),
      },
    });
    // Path style against s3rver, into the site bucket, signed for the type, size, checksum and caching.
    const uploadUrl = new URL(slot.uploadUrl);
    expect(`${uploadUrl.protocol}//${uploadUrl.host}`).toBe(harness.stack.endpoints.s3);
    expect(uploadUrl.pathname).toBe(`/${harness.stack.endpoints.buckets.Site}/media/${sha256}.png`);
    expect(uploadUrl.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'cache-control;content-length;content-type;host;x-amz-checksum-sha256',
    );
    expect(Number(uploadUrl.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(600);

    expect((await put(slot, image)).status).toBe(200);
    const checked = await check(slot.name);
    expect(checked.status).toBe(200);
    expect(await checked.json()).toEqual({
      status: 'verified',
      name: slot.name,
      key: slot.key,
      url: slot.url,
      contentType: 'image/png',
      size: image.length,
      sha256,
    });

    const served = await fetch(slot.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toBe(MEDIA_CACHE_CONTROL);
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    // The access log shows the route template for the check, and the (public, hash-named) media path.
    expect(accessLog.join('\n')).toMatch(/POST \/api\/media\/\{name\}\/check 200/);
    expect(accessLog.join('\n')).toContain(`GET /media/${slot.name} 200`);
  });

  it('tells the client to skip the upload when the same image is already stored and verified', async () => {
    const image = jpegImage(90);
    const slot = await requestSlot(announce(image, 'image/jpeg'));
    expect(slot.name).toMatch(/\.jpg$/);
    expect((await put(slot, image)).status).toBe(200);
    expect((await check(slot.name)).status).toBe(200);

    const again = await harness.api('/api/media', { method: 'POST', json: announce(image, 'image/jpeg') });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'exists', name: slot.name, key: slot.key, url: slot.url });
  });

  it('hex may be sent in either case; the name is always lower case', async () => {
    const image = pngImage([1, 2, 3, 255]);
    const slot = await requestSlot({ ...announce(image), sha256: sha256Hex(image).toUpperCase() });
    expect(slot.name).toBe(`${sha256Hex(image)}.png`);
  });

  it('refuses types other than JPEG, PNG, WebP and GIF, sizes over 10 MB and malformed hashes with a 422 naming the field', async () => {
    const image = pngImage([5, 5, 5, 255]);
    const cases: [unknown, string[]][] = [
      [{ ...announce(image), contentType: 'image/svg+xml' }, ['contentType']],
      [{ ...announce(image), contentType: 'text/html' }, ['contentType']],
      [{ ...announce(image), size: MAX_MEDIA_BYTES + 1 }, ['size']],
      [{ ...announce(image), size: 0 }, ['size']],
      [{ ...announce(image), size: 12.5 }, ['size']],
      [{ ...announce(image), sha256: 'abc' }, ['sha256']],
      [{ ...announce(image), sha256: Buffer.from(sha256Hex(image), 'hex').toString('base64') }, ['sha256']],
      [{}, ['contentType', 'size', 'sha256']],
    ];
    for (const [body, fields] of cases) {
      const response = await harness.api('/api/media', { method: 'POST', json: body });
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect((await fieldsOf(response)).sort()).toEqual([...fields].sort());
    }
    const notJson = await harness.api('/api/media', { method: 'POST', body: 'png please' });
    expect(notJson.status).toBe(400);
  });

  it('is for editors only: anonymous calls and bad tokens get 401 before anything is signed', async () => {
    const image = pngImage([9, 9, 9, 255]);
    expect((await harness.api('/api/media', { method: 'POST', json: announce(image), token: null })).status).toBe(401);
    expect(
      (await harness.api('/api/media', { method: 'POST', json: announce(image), token: 'dsp_ed_not-a-token' })).status,
    ).toBe(401);
    expect((await check(`${sha256Hex(image)}.png`, null)).status).toBe(401);
  });

  it('signs the limits into the URL: S3 would refuse any other size, type or content (verified as S3 verifies)', async () => {
    const image = pngImage([10, 20, 30, 255]);
    const slot = await requestSlot(announce(image));
    const verifies = (headers: Record<string, string>) =>
      presignedRequestVerifies('PUT', slot.uploadUrl, headers, 'S3RVER');
    expect(verifies(slot.headers)).toBe(true);
    expect(verifies({ ...slot.headers, 'content-length': String(image.length + 1) })).toBe(false);
    expect(verifies({ ...slot.headers, 'content-length': String(MAX_MEDIA_BYTES * 2) })).toBe(false);
    expect(verifies({ ...slot.headers, 'content-type': 'text/html' })).toBe(false);
    expect(verifies({ ...slot.headers, 'x-amz-checksum-sha256': Buffer.alloc(32).toString('base64') })).toBe(false);
    const { 'x-amz-checksum-sha256': _omitted, ...withoutChecksum } = slot.headers;
    expect(verifies(withoutChecksum)).toBe(false);
  });
});

describe('POST /api/media/{name}/check (s3rver ignores signatures: this is what catches a bad upload locally)', () => {
  it('rejects and deletes bytes other than the announced ones', async () => {
    const announced = pngImage([40, 40, 40, 255]);
    const slot = await requestSlot(announce(announced));
    const other = pngImage([41, 40, 40, 255]);
    expect((await put(slot, other, { ...slot.headers, 'content-length': String(other.length) })).status).toBe(200);

    const checked = await check(slot.name);
    expect(checked.status).toBe(422);
    const body = (await checked.json()) as ErrorAnswer;
    expect(body.error.message).toContain('deleted');
    expect(body.error.fields?.map((field) => field.field)).toEqual(['sha256']);

    expect((await fetch(slot.url)).status).toBe(404);
    expect((await check(slot.name)).status).toBe(404);
  });

  it('rejects a file that is not the announced type by its magic bytes', async () => {
    const jpeg = jpegImage(200);
    // Announced as a PNG with the JPEG's own hash: the hash matches, the bytes are not a PNG.
    const slot = await requestSlot(announce(jpeg, 'image/png'));
    expect((await put(slot, jpeg)).status).toBe(200);
    const checked = await check(slot.name);
    expect(checked.status).toBe(422);
    const body = (await checked.json()) as ErrorAnswer;
    expect(body.error.fields).toEqual([{ field: 'contentType', message: expect.stringContaining('image/jpeg') }]);
    expect((await fetch(slot.url)).status).toBe(404);
  });

  it('rejects an upload stored under another Content-Type than was signed', async () => {
    const image = pngImage([50, 60, 70, 255]);
    const slot = await requestSlot(announce(image));
    expect((await put(slot, image, { ...slot.headers, 'content-type': 'text/html' })).status).toBe(200);
    const checked = await check(slot.name);
    expect(checked.status).toBe(422);
    expect(await fieldsOf(checked)).toEqual(['contentType']);
    expect((await fetch(slot.url)).status).toBe(404);
  });

  it('rejects an upload over 10 MB, whatever size was announced', { timeout: 60_000 }, async () => {
    const big = Buffer.alloc(MAX_MEDIA_BYTES + 1, 7);
    big.set(pngImage([0, 0, 0, 255]).subarray(0, 8)); // a PNG signature, so only the size is wrong
    const slot = await requestSlot({ contentType: 'image/png', size: 1000, sha256: sha256Hex(big) });
    expect((await put(slot, big, { ...slot.headers, 'content-length': String(big.length) })).status).toBe(200);
    const checked = await check(slot.name);
    expect(checked.status).toBe(422);
    expect(await fieldsOf(checked)).toEqual(['size']);
    expect((await fetch(slot.url)).status).toBe(404);
  });

  it('answers 404 for a name nothing was uploaded under, and 400 for a malformed name', async () => {
    expect((await check(`${sha256Hex(pngImage([77, 0, 0, 255]))}.png`)).status).toBe(404);
    const malformed = await check('photo.png');
    expect(malformed.status).toBe(400);
    expect(await fieldsOf(malformed)).toEqual(['name']);
  });

  it('a re-request finds an unchecked bad upload, deletes it and hands out a fresh slot', async () => {
    const announced = pngImage([90, 90, 90, 255]);
    const slot = await requestSlot(announce(announced));
    const other = jpegImage(10);
    expect((await put(slot, other, { ...slot.headers, 'content-length': String(other.length) })).status).toBe(200);
    // Never checked: the next request for the same hash must not answer `exists`.
    const again = await requestSlot(announce(announced));
    expect(again.key).toBe(slot.key);
    expect((await fetch(slot.url)).status).toBe(404);
    expect((await put(again, announced)).status).toBe(200);
    expect((await check(again.name)).status).toBe(200);
  });
});
