/**
 * A kill switch on the AWS call stream: a pass-through HTTP proxy the controller under
 * test is pointed at (`--aws-endpoint`), in front of the emulator. It counts the writes
 * as they arrive and, once armed, SIGKILLs the controller exactly at the Nth one: before
 * forwarding it (the write never reaches AWS) or after AWS answered (the write is done,
 * the controller never learns it). Polling /metrics could only kill "somewhere after"
 * a count; this kills between two given calls, so a seeded run lands where it says.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMutating } from '../../pkg/aws/index.ts';

/** Where the kill lands relative to the Nth write. */
export type KillTiming = 'before-write' | 'after-write';

/** What the switch did when it fired. */
export interface KillLanding {
  /** The AWS operation of the Nth write (`CreateRule`, `DeleteTargetGroup`, ...). */
  readonly operation: string;
  /** N: the write's rank since the switch was armed. */
  readonly write: number;
  readonly timing: KillTiming;
}

interface Armed {
  /** The write count at which to fire, and the rank since arming it stands for. */
  readonly at: number;
  readonly rank: number;
  readonly timing: KillTiming;
  readonly pid: number;
  readonly resolve: (landing: KillLanding) => void;
}

export class KillSwitch {
  readonly #server: Server;
  readonly #target: URL;
  #writes = 0;
  #armed: Armed | undefined;
  /** Writes by operation since the switch started, for the report. */
  readonly writesByOperation = new Map<string, number>();

  private constructor(server: Server, target: URL) {
    this.#server = server;
    this.#target = target;
  }

  /** Starts the proxy on a free loopback port, forwarding to `awsEndpoint`. */
  static async start(awsEndpoint: string): Promise<KillSwitch> {
    const server = createServer();
    const proxy = new KillSwitch(server, new URL(awsEndpoint));
    server.on('request', (req, res) => {
      proxy.#handle(req, res).catch(() => {
        res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The endpoint to give the controller. */
  get endpoint(): string {
    return `http://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
  }

  /** Writes seen since the start (every controller behind the switch). */
  get writes(): number {
    return this.#writes;
  }

  /**
   * Arms the switch: the `at`-th write from now SIGKILLs `pid`. Resolves with where it
   * landed; `disarm()` leaves the promise pending for ever, so race it with a timeout.
   */
  arm(pid: number, at: number, timing: KillTiming): Promise<KillLanding> {
    return new Promise((resolve) => {
      this.#armed = { at: this.#writes + at, rank: at, timing, pid, resolve };
    });
  }

  disarm(): void {
    this.#armed = undefined;
  }

  async stop(): Promise<void> {
    this.disarm();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const operation = operationOf(req, body);
    let fire: Armed | undefined;
    if (isMutating(operation)) {
      this.#writes += 1;
      this.writesByOperation.set(operation, (this.writesByOperation.get(operation) ?? 0) + 1);
      if (this.#armed !== undefined && this.#writes === this.#armed.at) {
        fire = this.#armed;
        this.#armed = undefined;
      }
    }
    const landing = (f: Armed): KillLanding => ({
      operation,
      write: f.rank,
      timing: f.timing,
    });
    if (fire?.timing === 'before-write') {
      kill(fire.pid);
      fire.resolve(landing(fire));
      res.destroy();
      return;
    }
    const answer = await this.#forward(req, body);
    if (fire !== undefined) {
      // AWS did the write; its answer dies with the controller.
      kill(fire.pid);
      fire.resolve(landing(fire));
      res.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  #forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          readBody(answer).then((b) => {
            resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: b });
          }, reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone: nothing to kill.
  }
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The AWS operation of a request: `Action=` of the query protocols (ELBv2, EC2) or the
 * `X-Amz-Target` of the JSON ones (ACM, WAFv2, Shield, tagging).
 */
export function operationOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return action ?? new URL(req.url ?? '/', 'http://x').searchParams.get('Action') ?? 'Unknown';
}
