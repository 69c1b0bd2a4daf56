import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Publication } from '../lambdas/core/shared/publication';
import { buildConsole, CONSOLE_KEY_PREFIX, consoleSettings, type ConsoleBuild } from '../lib/console/build-console';

/**
 * The local counterpart of `lib/constructs/console-deployment.ts`: builds the editor console and puts its files
 * into the s3rver site bucket under `console/`, with the Content-Type and Cache-Control the BucketDeployment
 * gives them, so the local edge serves `/console/` from the bucket exactly as CloudFront does. Assets go first,
 * the shell that names them last; nothing is deleted.
 */
export async function publishConsole(
  s3: S3Client,
  bucket: string,
  outDir: string,
  publication: Publication,
): Promise<ConsoleBuild> {
  const build = buildConsole(outDir, consoleSettings(publication));
  const shellLast = [...build.files].sort((a, b) => Number(a.path === 'index.html') - Number(b.path === 'index.html'));
  for (const file of shellLast) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${CONSOLE_KEY_PREFIX}${file.path}`,
        Body: await readFile(join(build.outDir, file.path)),
        ContentType: file.contentType,
        CacheControl: file.cacheControl,
      }),
    );
  }
  return build;
}
