import type { S3Client } from '@aws-sdk/client-s3';
import { HttpApi, type HttpApiOptions } from './api/http-api';
import { Edge } from './edge/edge';
import { sendJson } from './http-messages';
import { serveHttp, type RunningServer } from './listen';

export interface GatewayOptions extends Omit<HttpApiOptions, 'log'> {
  s3: S3Client;
  siteBucket: string;
  /** The origin presigned uploads go to (s3rver), which the console's CSP lets it connect to. */
  uploadOrigin?: string;
  /** Logs one line per request (method, path, status); never headers or bodies. */
  log?: (line: string) => void;
}

/**
 * The local front door, as readers and the CLI reach Dispatch on AWS: the edge (`edge/`, CloudFront and the site
 * bucket) in front of the HTTP API (`api/`), on one port, with an access log.
 */
export class Gateway {
  private server: RunningServer | undefined;
  private readonly edge: Edge;

  constructor(private readonly options: GatewayOptions) {
    const { s3, siteBucket, uploadOrigin, log, ...api } = options;
    this.edge = new Edge(new HttpApi({ ...api, log }), { s3, bucket: siteBucket }, uploadOrigin);
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = await serveHttp(
      (req, res) => {
        const started = Date.now();
        this.edge
          .handle(req, res)
          .catch((error: unknown) => {
            this.options.log?.(`gateway error: ${error instanceof Error ? error.message : String(error)}`);
            if (!res.headersSent)
              sendJson(res, 500, { error: { code: 'internal_error', message: 'Internal Server Error' } });
            else res.end();
          })
          .finally(() => {
            this.options.log?.(
              `${req.method} ${this.edge.loggedPath(req)} ${res.statusCode} ${Date.now() - started}ms`,
            );
          });
      },
      port,
      host,
    );
    return this.server.port;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
