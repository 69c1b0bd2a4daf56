import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';

/**
 * Listening without surprises: a busy port rejects the promise (a server's unhandled 'error' event would crash
 * the process with a stack trace instead), and `assertPortFree` checks a port before a third-party emulator
 * (s3rver, aws-ses-v2-local) tries it, since those leave a failed listen unhandled.
 */
export function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => reject(error);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/** Resolves when `port` (0 = any, always free) can be listened on now; rejects with the listen error otherwise. */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listenOn(probe, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** A listen error for a port that is taken, with the port it names. */
export function portInUse(error: unknown): number | undefined {
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  return code === 'EADDRINUSE' && typeof port === 'number' ? port : undefined;
}

/** An HTTP server that is listening, and the one way to stop it. */
export interface RunningServer {
  /** The port it listens on: the one the system picked when asked for 0. */
  readonly port: number;
  /**
   * Stops accepting connections, drops idle keep-alive sockets at once (an SDK client's pooled socket would
   * otherwise hold the server open for its keep-alive timeout) and resolves once the requests in flight have
   * been answered. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * How long local servers keep an idle client connection open. Node's default (5 s) closes a pooled SDK socket
 * just as a client may reuse it; when the client's event loop is busy it writes to the closed socket and gets
 * "socket hang up" (ECONNRESET). The SDK retries most calls, so a conditional write that had landed comes back
 * as a condition failure; the SES client tries once, so its mail is recorded `unknown` though it never reached
 * the emulator (both seen in the edition benchmark on a loaded machine). Longer than any idle gap of a busy run.
 */
export const LOCAL_KEEP_ALIVE_MS = 65_000;

/** Applies `LOCAL_KEEP_ALIVE_MS` to a server (ours or an emulator's). */
export function keepIdleConnections(server: HttpServer): void {
  server.keepAliveTimeout = LOCAL_KEEP_ALIVE_MS;
  // Node requires the header timeout to outlast the keep-alive timeout.
  server.headersTimeout = LOCAL_KEEP_ALIVE_MS + 1_000;
}

/** Starts an HTTP server on `port` (0 = any free one): every local endpoint (gateway, proxies, tests) uses this. */
export async function serveHttp(listener: RequestListener, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const server = createHttpServer(listener);
  keepIdleConnections(server);
  await listenOn(server, port, host);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`${host}:${port} has no TCP address`);
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
