import { s3Client, s3PresigningClient } from '../adapters/clients';
import { siteBucket } from '../adapters/data-model';
import { MediaBucket } from '../adapters/media-bucket';
import { loadPublication, requireEnv } from '../config';
import { MediaLibrary } from '../core/media/media-library';

/** Image uploads into the site bucket's `media/` folder, with public URLs under the publication's site URL. */
export function mediaLibraryFromEnv(): MediaLibrary {
  const objects = new MediaBucket(s3Client(), s3PresigningClient(), requireEnv(siteBucket.env));
  return new MediaLibrary(objects, loadPublication().siteUrl);
}
