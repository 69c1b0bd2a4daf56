// A test-only preload for the fault campaign (test/faults/campaign.ts): `node --import tsx --import <this file>
// local/main.ts`. The local stack gives its SES client no endpoint knob (local/stack.ts sets
// AWS_ENDPOINT_URL_SESV2 to the emulator it starts itself), so instead of a proxy in front of SES this wraps the
// SES emulator's own request handler, in the stack's process:
//
//  - every SendEmail request is journaled (`begin`) as it arrives, and its end (`accept` with the MessageId,
//    recipients and X-Dispatch-Edition header, `throttled`, or `error`) right before the response is written, with
//    synchronous appends to an O_APPEND file, so a SIGKILL at any moment leaves an exact journal: a mail counts as
//    delivered once the emulator has answered 200 (the emulator stores and answers in the same tick);
//  - a seeded share of SendEmail calls is answered 429 TooManyRequestsException, as SES throttles.
//
// Nothing else in the stack is touched. Inert unless DISPATCH_FAULTS_SES_JOURNAL and DISPATCH_SES_PORT are set.
import { openSync, writeSync } from 'node:fs';
import http from 'node:http';
import { isMainThread } from 'node:worker_threads';

const journalFile = process.env.DISPATCH_FAULTS_SES_JOURNAL;
const sesPort = Number(process.env.DISPATCH_SES_PORT);
const throttleRate = Number(process.env.DISPATCH_FAULTS_THROTTLE_RATE ?? '0');
const life = Number(process.env.DISPATCH_FAULTS_LIFE ?? '0');
const seed = Number(process.env.DISPATCH_FAULTS_SEED ?? '1');

/** mulberry32: small, seedable, good enough to pick which calls are throttled. */
function rng(start) {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (isMainThread && journalFile && Number.isInteger(sesPort) && sesPort > 0) {
  const fd = openSync(journalFile, 'a');
  const record = (line) => {
    writeSync(fd, JSON.stringify({ ...line, life, t: Date.now() }) + '\n');
  };
  const random = rng(seed * 7919 + life * 104729);
  let next = 0;
  const isSes = new WeakMap();

  const originalEmit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emit(event, ...args) {
    if (event === 'request') {
      let ses = isSes.get(this);
      if (ses === undefined) {
        const address = this.address();
        ses = typeof address === 'object' && address !== null && address.port === sesPort;
        isSes.set(this, ses);
      }
      const [req, res] = args;
      if (ses && req.method === 'POST' && (req.url ?? '').startsWith('/v2/email/outbound-emails')) {
        const id = `${life}-${(next += 1)}`;
        record({ op: 'begin', id });
        if (random() < throttleRate) {
          req.resume();
          req.on('end', () => {
            record({ op: 'throttled', id });
            res.writeHead(429, {
              'content-type': 'application/json',
              'x-amzn-errortype': 'TooManyRequestsException',
            });
            res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
          });
          return true;
        }
        const end = res.end;
        res.end = function tappedEnd(chunk, ...rest) {
          if (res.statusCode === 200) {
            let messageId;
            try {
              messageId = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk)).MessageId;
            } catch {
              messageId = undefined;
            }
            const body = req.body ?? {};
            const headers = body.Content?.Simple?.Headers ?? [];
            const edition = headers.find((header) => header.Name === 'X-Dispatch-Edition')?.Value;
            record({ op: 'accept', id, messageId, to: body.Destination?.ToAddresses ?? [], edition });
          } else {
            record({ op: 'error', id, status: res.statusCode });
          }
          return end.call(this, chunk, ...rest);
        };
      }
    }
    return originalEmit.call(this, event, ...args);
  };
}
