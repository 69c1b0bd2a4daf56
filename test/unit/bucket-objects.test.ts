import { NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { BucketObjects } from '../../lambdas/adapters/bucket-objects';

/** The missing-object cases of the S3 helper, against a stubbed client. */
function stubbed(error: Error): BucketObjects {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  Object.assign(s3, { send: async () => Promise.reject(error) });
  return new BucketObjects(s3, 'bucket');
}

const withStatus = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('BucketObjects', () => {
  it('finds nothing under a missing key', async () => {
    expect(await stubbed(new NoSuchKey({ message: 'gone', $metadata: {} })).find('k')).toBeUndefined();
  });

  it('reads no metadata of a missing key (HEAD answers a bare 404)', async () => {
    expect(await stubbed(withStatus('NotFound', 404)).metadata('k')).toBeUndefined();
  });

  it('throws when access is refused or the bucket is missing', async () => {
    await expect(stubbed(withStatus('AccessDenied', 403)).find('k')).rejects.toThrow('AccessDenied');
    await expect(stubbed(withStatus('NoSuchBucket', 404)).find('k')).rejects.toThrow('NoSuchBucket');
  });
});
