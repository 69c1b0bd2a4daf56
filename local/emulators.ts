import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import * as sesModule from 'aws-ses-v2-local';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { keepIdleConnections } from './listen';
import type { StoredMail } from './ses-feedback-poller';
import { BROWSER_UPLOAD_CORS } from '../lambdas/adapters/data-model';

export interface EmulatorPorts {
  /** dynalite itself; clients use the stream proxy in front of it. */
  dynalite: number;
  s3: number;
  ses: number;
}

export interface Emulators {
  dynaliteUrl: URL;
  s3Url: string;
  sesUrl: string;
  /**
   * The SES emulator's inbox, read in this process: the array `GET /store` serialises, oldest first, without
   * copying a single mail body.
   */
  sesInbox(): readonly StoredMail[];
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export interface EmulatedBucket {
  name: string;
  /** Answers CORS for browser PUTs (`BROWSER_UPLOAD_CORS`), as the CDK stack configures the bucket. */
  browserUploads?: boolean;
}

/** `BROWSER_UPLOAD_CORS` as the S3 CORS document s3rver reads. */
const BROWSER_UPLOAD_CORS_XML = [
  '<CORSConfiguration><CORSRule>',
  ...BROWSER_UPLOAD_CORS.allowedOrigins.map((origin) => `<AllowedOrigin>${origin}</AllowedOrigin>`),
  ...BROWSER_UPLOAD_CORS.allowedMethods.map((method) => `<AllowedMethod>${method}</AllowedMethod>`),
  ...BROWSER_UPLOAD_CORS.allowedHeaders.map((header) => `<AllowedHeader>${header}</AllowedHeader>`),
  `<MaxAgeSeconds>${BROWSER_UPLOAD_CORS.maxAgeSeconds}</MaxAgeSeconds>`,
  '</CORSRule></CORSConfiguration>',
].join('');

/** dynalite (on disk), s3rver and aws-ses-v2-local, in this process. */
export async function startEmulators(
  dataDir: string,
  ports: EmulatorPorts,
  buckets: (string | EmulatedBucket)[],
): Promise<Emulators> {
  const dynamo = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // The stream proxy forwards to dynalite over pooled keep-alive sockets too.
  keepIdleConnections(dynamo);
  const dynamoPort = await listen(dynamo, ports.dynalite);

  const s3 = new S3rver({
    port: ports.s3,
    address: HOST,
    silent: true,
    directory: join(dataDir, 's3'),
    configureBuckets: buckets
      .map((bucket) => (typeof bucket === 'string' ? { name: bucket } : bucket))
      .map(({ name, browserUploads }) => ({
        name,
        ...(browserUploads === true ? { configs: [BROWSER_UPLOAD_CORS_XML] } : {}),
      })),
  });
  const s3Address = await s3.run();

  const ses = await sesServerFunction()({ host: HOST, port: ports.ses });
  keepIdleConnections(ses);
  const sesPort = (ses.address() as AddressInfo).port;

  return {
    dynaliteUrl: new URL(`http://${HOST}:${dynamoPort}`),
    s3Url: `http://${HOST}:${s3Address.port}`,
    sesUrl: `http://${HOST}:${sesPort}`,
    sesInbox: () => getStoreReadonly().emails,
    async close() {
      await Promise.all([closeServer(ses), s3.close(), closeServer(dynamo)]);
    },
  };
}

/** aws-ses-v2-local is CommonJS with `exports.default`; under ESM interop the function sits one level down. */
function sesServerFunction(): typeof sesModule.default {
  const candidate: unknown = sesModule.default;
  if (typeof candidate === 'function') return candidate as typeof sesModule.default;
  const nested = (candidate as { default?: unknown } | undefined)?.default;
  if (typeof nested === 'function') return nested as typeof sesModule.default;
  throw new Error('aws-ses-v2-local does not export a server function');
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
