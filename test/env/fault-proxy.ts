/**
 * A fault proxy between a controller and the emulator: an HTTP server on 127.0.0.1 that
 * forwards every AWS call to the emulator, except a chosen fraction it fails the way AWS
 * does — throttled, a 5xx, the connection reset without an answer, the answer slowed, or
 * a "lost write": the call reaches the emulator (so the resource exists) and the answer
 * never reaches the caller. The test switches faults on and off while the controller
 * runs and reads back every call and every fault injected.
 *
 * The answers follow AWS's wire formats: ELBv2 (query protocol) answers an
 * `ErrorResponse` XML (`Throttling`, 400, as AWS's ELBv2 sends it; `InternalFailure` 500,
 * `ServiceUnavailable` 503 from its Common Errors); EC2 a `Response/Errors/Error` XML
 * (`RequestLimitExceeded` 503, `InternalError` 500, `Unavailable` 503 from its error
 * codes); JSON-protocol services (tagging, WAF, Shield, ACM) a `__type` body. The draws
 * come from a seeded generator, one per call in arrival order, so the same seed and the
 * same sequence of calls inject the same faults.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { isMutating } from '../../pkg/aws/index.ts';

export const FAULT_KINDS = ['throttle', '5xx', 'reset', 'slow', 'lost-write'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Which calls to fail, how often and how. */
export interface FaultRule {
  /** The fraction of matching calls failed, 0..1. */
  readonly rate: number;
  /** The kinds drawn from, evenly; `lost-write` only ever hits mutating calls. @default every kind */
  readonly kinds?: readonly FaultKind[];
  /** Only these actions (`CreateTargetGroup`, `GetResources`, …). @default every action */
  readonly actions?: readonly string[];
  /** How long a `slow` answer waits before it is forwarded. @default 4000 */
  readonly slowMs?: number;
}

/** One call that reached the proxy. */
export interface ProxyCall {
  /** `elasticloadbalancing`, `ec2`, `tagging`, … from the request's signature. */
  readonly service: string;
  readonly action: string;
  readonly mutating: boolean;
  /** Milliseconds since the proxy started. */
  readonly at: number;
  /** The fault injected into this call, if any. */
  readonly fault?: FaultKind;
}

export interface FaultSummary {
  readonly calls: number;
  readonly faults: number;
  readonly byKind: Readonly<Record<FaultKind, number>>;
  /** Lost writes by action: the calls that took effect though the caller saw a reset. */
  readonly lostWrites: Readonly<Record<string, number>>;
}

export interface FaultProxyOptions {
  /** The emulator's endpoint, e.g. `env.state.awsEndpoint`. */
  readonly target: string;
  /** @default 1 */
  readonly seed?: number;
}

export class FaultProxy {
  readonly endpoint: string;
  readonly #server: Server;
  readonly #target: URL;
  readonly #started = Date.now();
  readonly #calls: ProxyCall[] = [];
  #rules: readonly FaultRule[] = [];
  #random: () => number;

  private constructor(server: Server, target: URL, seed: number) {
    this.#server = server;
    this.#target = target;
    this.#random = mulberry32(seed);
    this.endpoint = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const proxy = new FaultProxy(server, new URL(options.target), options.seed ?? 1);
    server.on('request', (req, res) => {
      void proxy.#handle(req, res);
    });
    return proxy;
  }

  /**
   * Faults from now on: the first rule whose actions include the call's (or that names
   * none) decides. No rule, or `[]`: every call is forwarded untouched.
   */
  inject(rules: FaultRule | readonly FaultRule[]): void {
    const list: readonly FaultRule[] = isRuleList(rules) ? rules : [rules];
    for (const r of list) {
      if (!(r.rate >= 0 && r.rate <= 1))
        throw new Error(`fault rate ${String(r.rate)} not in 0..1`);
    }
    this.#rules = list;
  }

  /** Stops injecting; calls keep being recorded. */
  clear(): void {
    this.#rules = [];
  }

  /** Restarts the draws from `seed` (the call log stays). */
  reseed(seed: number): void {
    this.#random = mulberry32(seed);
  }

  calls(): readonly ProxyCall[] {
    return this.#calls;
  }

  faults(): readonly (ProxyCall & { readonly fault: FaultKind })[] {
    return this.#calls.filter((c): c is ProxyCall & { fault: FaultKind } => c.fault !== undefined);
  }

  /** Calls and faults so far, or since the call index `from` (a `calls().length` taken earlier). */
  summary(from = 0): FaultSummary {
    const calls = this.#calls.slice(from);
    const byKind = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    const lostWrites: Record<string, number> = {};
    for (const c of calls) {
      if (c.fault === undefined) continue;
      byKind[c.fault] += 1;
      if (c.fault === 'lost-write') lostWrites[c.action] = (lostWrites[c.action] ?? 0) + 1;
    }
    return {
      calls: calls.length,
      faults: calls.filter((c) => c.fault !== undefined).length,
      byKind,
      lostWrites,
    };
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const { service, action } = identify(req, body);
    const mutating = action !== '' && isMutating(action);
    const fault = this.#draw(action, mutating);
    this.#calls.push({
      service,
      action,
      mutating,
      at: Date.now() - this.#started,
      ...(fault !== undefined ? { fault: fault.kind } : {}),
    });
    try {
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'throttle' || fault?.kind === '5xx') {
        const answer = errorAnswer(service, fault.kind, fault.alt);
        res.writeHead(answer.status, {
          'content-type': answer.contentType,
          'x-amzn-requestid': answer.requestId,
        });
        res.end(answer.body);
        return;
      }
      if (fault?.kind === 'slow') await delay(fault.slowMs);
      const answer = await this.#forward(req, body);
      if (fault?.kind === 'lost-write') {
        // The emulator did the write; the caller sees its connection reset.
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  #draw(
    action: string,
    mutating: boolean,
  ): { kind: FaultKind; slowMs: number; alt: boolean } | undefined {
    const rule = this.#rules.find((r) => r.actions === undefined || r.actions.includes(action));
    if (rule === undefined || action === '') return undefined;
    // Three draws per matching call whatever the outcome, so one call's fate does not
    // shift the next call's.
    const hit = this.#random();
    const pick = this.#random();
    const alt = this.#random() < 0.5;
    const kinds = (rule.kinds ?? FAULT_KINDS).filter((k) => k !== 'lost-write' || mutating);
    if (hit >= rule.rate || kinds.length === 0) return undefined;
    const kind = kinds[Math.floor(pick * kinds.length)] ?? kinds[0];
    return kind === undefined ? undefined : { kind, slowMs: rule.slowMs ?? 4000, alt };
  }

  #forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined && k !== 'connection' && k !== 'keep-alive') headers[k] = v;
      }
      const out = httpRequest(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('error', reject);
          answer.on('end', () => {
            const kept: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(answer.headers)) {
              if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding') kept[k] = v;
            }
            resolve({
              status: answer.statusCode ?? 502,
              headers: kept,
              body: Buffer.concat(parts),
            });
          });
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

function isRuleList(rules: FaultRule | readonly FaultRule[]): rules is readonly FaultRule[] {
  return Array.isArray(rules);
}

/**
 * The service from the SigV4 credential scope (`…/us-west-2/elasticloadbalancing/aws4_request`)
 * and the action from `X-Amz-Target` (JSON protocol) or the form body's `Action=` (query).
 */
function identify(req: IncomingMessage, body: Buffer): { service: string; action: string } {
  const auth = req.headers.authorization ?? '';
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? '';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    return { service, action: target.slice(target.lastIndexOf('.') + 1) };
  }
  const fromBody = new URLSearchParams(body.toString('utf8')).get('Action');
  const fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('Action');
  return { service, action: fromBody ?? fromQuery ?? '' };
}

interface ErrorAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly requestId: string;
  readonly body: string;
}

/** AWS's error answer for `kind` in the service's protocol; `alt` picks 503 over 500 for 5xx. */
export function errorAnswer(service: string, kind: 'throttle' | '5xx', alt: boolean): ErrorAnswer {
  const requestId = randomUUID();
  if (service === 'ec2') {
    const [status, code, message] =
      kind === 'throttle'
        ? [503, 'RequestLimitExceeded', 'Request limit exceeded.']
        : alt
          ? [503, 'Unavailable', 'The server is overloaded and cannot handle the request.']
          : [500, 'InternalError', 'An internal error has occurred.'];
    return {
      status,
      contentType: 'text/xml;charset=UTF-8',
      requestId,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  const [status, code, message, type] =
    kind === 'throttle'
      ? [400, 'Throttling', 'Rate exceeded', 'Sender']
      : alt
        ? [
            503,
            'ServiceUnavailable',
            'The request has failed due to a temporary failure of the server.',
            'Receiver',
          ]
        : [
            500,
            'InternalFailure',
            'The request processing has failed because of an unknown error, exception or failure.',
            'Receiver',
          ];
  if (service === 'elasticloadbalancing') {
    return {
      status,
      contentType: 'text/xml',
      requestId,
      body: `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  // JSON protocol: the tagging API's own throttling code is ThrottledException.
  const jsonCode =
    kind === 'throttle' && service === 'tagging'
      ? 'ThrottledException'
      : kind === 'throttle'
        ? 'ThrottlingException'
        : code;
  return {
    status,
    contentType: 'application/x-amz-json-1.1',
    requestId,
    body: JSON.stringify({ __type: jsonCode, message }),
  };
}

/** A small seeded generator (mulberry32): the same seed, the same draws. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
