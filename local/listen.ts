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
