/**
 * `albatross controller` as a user runs it: a child process started through
 * scripts/node with the test environment's variables, its JSON log lines captured, its
 * /metrics scraped. `useControllers()` kills every process a suite started when the
 * suite ends, even after a failure, so no controller outlives its test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { after } from 'node:test';
import { isMutating } from '../../pkg/aws/index.ts';
import type { TestEnv } from '../env/testenv.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One parsed log line; `raw` keeps the text for failure messages. */
export interface LogLine {
  readonly msg: string;
  readonly level: string;
  readonly raw: string;
  readonly [field: string]: unknown;
}

export interface ControllerOptions {
  /** Name in failure messages and in the process's log prefix. */
  readonly name?: string;
  /** Extra flags after the required ones. */
  readonly args?: readonly string[];
  /** Leave out --aws-vpc-id, so the controller finds the VPC from the nodes. */
  readonly omitVpcId?: boolean;
  /** Where its AWS calls go, e.g. a FaultProxy's endpoint. @default env.state.awsEndpoint */
  readonly awsEndpoint?: string;
  /**
   * The program and its arguments before `controller`, e.g. node with the image's flags
   * and `dist/controller/main.js` (test/bench/controller-rss.ts `compiledControllerCommand`).
   * @default scripts/node controller/main.ts (the TypeScript source)
   */
  readonly command?: readonly [string, ...string[]];
  /** Further environment variables (e.g. NODE_ENV). @default none */
  readonly env?: Readonly<Record<string, string>>;
}

/** AWS calls by `operation` from albatross_aws_api_calls_total (successful and failed). */
export type CallCounts = Readonly<Record<string, number>>;

export class ControllerProcess {
  readonly name: string;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  #metricsPort: number | undefined;
  #healthPort: number | undefined;
  #stderrTail = '';

  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        resolve({ code, signal });
      });
    });
    let pending = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.#take(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    child.stdout?.resume();
  }

  #take(text: string): void {
    if (process.env.ALBATROSS_E2E_LOGS === '1') process.stderr.write(`[${this.name}] ${text}\n`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.#stderrTail = `${this.#stderrTail}${text}\n`.slice(-4000);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const line = { ...(parsed as Record<string, unknown>), raw: text } as LogLine;
    if (line.msg === 'listening' && typeof line.metrics === 'string') {
      this.#metricsPort = portOf(line.metrics);
      if (typeof line.health === 'string') this.#healthPort = portOf(line.health);
    }
    this.lines.push(line);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Where the next line will land: pass to `waitForLine` to see only lines after now. */
  cursor(): number {
    return this.lines.length;
  }

  /** The first line from `since` on that `match` accepts, waiting up to `timeoutMs`. */
  async waitForLine(
    what: string,
    match: (line: LogLine) => boolean,
    options: { readonly since?: number; readonly timeoutMs?: number } = {},
  ): Promise<LogLine> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    let i = options.since ?? 0;
    for (;;) {
      for (; i < this.lines.length; i++) {
        const line = this.lines[i];
        if (line !== undefined && match(line)) return line;
      }
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw new Error(`${this.name} exited while waiting for ${what}\n${this.recentLog()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: timed out waiting for ${what}\n${this.recentLog()}`);
      }
      await delay(25);
    }
  }

  /** The last log lines, for failure messages. */
  recentLog(count = 15): string {
    return [...this.lines.slice(-count).map((l) => l.raw), this.#stderrTail].join('\n');
  }

  /** Waits for the HTTP servers; resolves the metrics port. */
  async listening(): Promise<number> {
    await this.waitForLine('the listening line', (l) => l.msg === 'listening');
    if (this.#metricsPort === undefined) throw new Error('listening line without a port');
    return this.#metricsPort;
  }

  /** GET a health endpoint (`/healthz`, `/readyz`). */
  async health(path: string): Promise<{ status: number; body: string }> {
    await this.listening();
    const res = await fetch(`http://127.0.0.1:${String(this.#healthPort)}${path}`);
    return { status: res.status, body: await res.text() };
  }

  async metricsText(): Promise<string> {
    const port = await this.listening();
    const res = await fetch(`http://127.0.0.1:${String(port)}/metrics`);
    return res.text();
  }

  /** The sum of one metric's series whose labels include `labels`. */
  async metric(name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
    return sumSeries(await this.metricsText(), name, labels);
  }

  /** AWS calls so far, by operation. */
  async awsCalls(): Promise<CallCounts> {
    const counts: Record<string, number> = {};
    for (const { labels, value } of series(
      await this.metricsText(),
      'albatross_aws_api_calls_total',
    )) {
      const op = labels.operation ?? '';
      counts[op] = (counts[op] ?? 0) + value;
    }
    return counts;
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null }> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill(signal);
    }
    return this.exited;
  }
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** Calls made between two snapshots, by operation (zero entries left out). */
export function callsBetween(before: CallCounts, after: CallCounts): CallCounts {
  const diff: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0) diff[op] = d;
  }
  return diff;
}

export function mutating(calls: CallCounts): CallCounts {
  return Object.fromEntries(Object.entries(calls).filter(([op]) => isMutating(op)));
}

export function total(calls: CallCounts): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}

/** Parses the series of one metric from Prometheus exposition text. */
export function series(
  text: string,
  name: string,
): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k = '', v = ''] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[k] = v;
    }
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

function sumSeries(text: string, name: string, want: Readonly<Record<string, string>>): number {
  return series(text, name)
    .filter((s) => Object.entries(want).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Starts controllers against a test environment; `stopAll` SIGKILLs those still running. */
export interface ControllerLauncher {
  start(env: TestEnv, options?: ControllerOptions): ControllerProcess;
  stopAll(): Promise<void>;
}

/**
 * For a suite: `start` spawns a controller against `env`; every process started is
 * SIGKILLed when the suite ends if it is still running.
 */
export function useControllers(): Pick<ControllerLauncher, 'start'> {
  const launcher = controllerLauncher();
  after(() => launcher.stopAll());
  return launcher;
}

/** The launcher without a test runner (scripts, the soak): the caller calls `stopAll`. */
export function controllerLauncher(): ControllerLauncher {
  const started: ControllerProcess[] = [];
  return {
    async stopAll() {
      await Promise.all(started.map((c) => c.stop('SIGKILL')));
    },
    start(env, options = {}) {
      const proc = spawnController(env, {
        ...options,
        name: options.name ?? `controller-${String(started.length + 1)}`,
      });
      started.push(proc);
      return proc;
    },
  };
}

/**
 * Spawns a controller against `env`; the caller stops it. Outside a test file (the soak)
 * this is the way in; test files use `useControllers()`, which also kills it at the end.
 */
export function spawnController(env: TestEnv, options: ControllerOptions = {}): ControllerProcess {
  const vars = env.exports();
  const [program, ...lead] = options.command ?? [
    join(root, 'scripts', 'node'),
    'controller/main.ts',
  ];
  const args = [
    ...lead,
    'controller',
    '--cluster-name',
    env.clusterName,
    '--aws-region',
    env.state.region,
    '--aws-endpoint',
    options.awsEndpoint ?? env.state.awsEndpoint,
    ...(options.omitVpcId === true ? [] : ['--aws-vpc-id', env.world.vpcId]),
    '--metrics-addr',
    '127.0.0.1:0',
    '--health-addr',
    '127.0.0.1:0',
    // Several controllers run at once and would race for one webhook port; a suite
    // that tests the webhook turns it on in `args` (the last value wins).
    '--webhook-port',
    '0',
    ...(options.args ?? []),
  ];
  const child = spawn(program, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KUBECONFIG: vars.KUBECONFIG,
      AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY,
      AWS_REGION: vars.AWS_REGION,
      ...options.env,
    },
  });
  return new ControllerProcess(options.name ?? 'controller', child);
}
