/**
 * The HTTPS server the API server calls: POST /mutate-v1-pod with an AdmissionReview.
 * Its certificate is swapped in place (setSecureContext) when the Secret or the cert
 * directory changes, so a renewal needs no restart and drops no connection.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import { MUTATE_POD_PATH, reviewPod, type GateLookup } from './admission.ts';
import type { CertPair } from './self-managed-cert.ts';

/** The API server sends at most a few MiB per object; anything larger is not a pod review. */
const MAX_BODY = 8 * 1024 * 1024;

export interface RunningWebhookServer {
  readonly port: number;
  /** Serves this certificate from the next TLS handshake on. */
  setCertificate(pair: CertPair): void;
  close(): Promise<void>;
}

export async function startWebhookServer(options: {
  readonly host?: string;
  readonly port: number;
  readonly certificate: CertPair;
  readonly gatesFor: GateLookup;
  readonly log: Logger;
}): Promise<RunningWebhookServer> {
  const { log } = options;
  const server: Server = createServer(
    { cert: options.certificate.cert, key: options.certificate.key, minVersion: 'TLSv1.2' },
    (req, res) => {
      void handle(req, res, options.gatesFor, log);
    },
  );
  server.on('tlsClientError', (err) => {
    log.debug('webhook TLS handshake failed', { error: err });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info('webhook listening', { port, path: MUTATE_POD_PATH });
  return {
    port,
    setCertificate(pair) {
      server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  gatesFor: GateLookup,
  log: Logger,
): Promise<void> {
  const path = (req.url ?? '').split('?', 1)[0];
  if (path !== MUTATE_POD_PATH) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('POST only\n');
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (error) {
    log.warn('webhook request unreadable', { error });
    res.writeHead(400, { 'content-type': 'text/plain' }).end('an AdmissionReview JSON body\n');
    return;
  }
  const review = reviewPod(body, gatesFor, log);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(review));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error(`body over ${String(MAX_BODY)} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
