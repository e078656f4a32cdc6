/**
 * The controller's HTTP endpoints: `/healthz` (liveness), `/readyz` (readiness) and
 * `/metrics` (Prometheus). Each check answers 200 `ok` or 503 with the reason, so
 * `kubectl describe pod` shows why a probe failed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from './config.ts';
import type { ControllerMetrics } from './metrics.ts';

/** A check returns `undefined` when fine, else the reason it is not. */
export type Check = () => string | undefined;

export interface HttpRoutes {
  readonly healthz?: Check;
  readonly readyz?: Check;
  /** Appended to a passing /readyz body (`ok: leader`). */
  readonly readyDetail?: () => string;
  readonly metrics?: ControllerMetrics;
}

export interface RunningHttpServer {
  /** The bound address (the real port when 0 was asked). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

/** Listens on `addr` and serves `routes`; resolves once bound, rejects if binding fails. */
export async function startHttpServer(
  addr: ListenAddress,
  routes: HttpRoutes,
): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    void serve(routes, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // An empty host listens on every interface, as `:8080` means in Go.
    server.listen({ port: addr.port, ...(addr.host !== '' ? { host: addr.host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        // Prometheus keeps its connection alive between scrapes; do not wait for it.
        server.closeAllConnections();
      }),
  };
}

async function serve(routes: HttpRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'method not allowed\n');
    return;
  }
  try {
    if (path === '/healthz' && routes.healthz !== undefined) {
      check(res, routes.healthz(), '');
    } else if (path === '/readyz' && routes.readyz !== undefined) {
      check(res, routes.readyz(), routes.readyDetail?.() ?? '');
    } else if (path === '/metrics' && routes.metrics !== undefined) {
      const { body, contentType } = await routes.metrics.scrape();
      reply(res, 200, body, contentType);
    } else {
      reply(res, 404, 'not found\n');
    }
  } catch (err) {
    reply(res, 500, `${err instanceof Error ? err.message : String(err)}\n`);
  }
}

function check(res: ServerResponse, failure: string | undefined, detail: string): void {
  if (failure === undefined) reply(res, 200, detail === '' ? 'ok\n' : `ok: ${detail}\n`);
  else reply(res, 503, `${failure}\n`);
}

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain',
): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
