/**
 * One run of the side-by-side benchmark (compare-bench.ts) for one shape, against a
 * fresh test environment: the compiled controller as a process (the image's Node flags,
 * `--workers 3`, leader election off), its AWS calls going through one FaultProxy with
 * no faults, which records every call (action, time) on its way to the emulator.
 *
 * The phases, each counted from the proxy's log: a fresh controller with no Ingress
 * (RSS); the fleet created (seconds until every address, seconds until the last AWS call
 * before 5 s of quiet, calls and writes); every Ingress touched with a label (calls until
 * quiet); the controller SIGTERMed and a new one started (calls until quiet, RSS); every
 * Ingress deleted (calls, seconds until every finalizer is gone, and an audit of what is
 * left in the account).
 */
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { controllerLauncher, type ControllerProcess } from '../e2e/controller-process.ts';
import { auditUntilClean } from '../env/audit.ts';
import { FaultProxy, type ProxyCall } from '../env/fault-proxy.ts';
import { TestEnv } from '../env/testenv.ts';
import { eachLimited } from './bench-controller.ts';
import { compiledControllerCommand, readRss } from './controller-rss.ts';
import { fleetIngress, fleetService, fleetServiceNames } from './ingress-fleet.ts';

/** The fleets compared with the reference. */
export interface Shape {
  readonly name: string;
  readonly ingresses: number;
  /** One IngressGroup of every Ingress (`group.name`); else each is its own group. */
  readonly grouped: boolean;
}

export interface RunOptions {
  /** `--aws-api-rate-limits`; `undefined` leaves the controller's defaults. */
  readonly rateLimits?: string;
  /** How long no AWS call means the controller is done. @default 5000 */
  readonly quietMs?: number;
  readonly timeoutMs: number;
  /** Stop after the converge (the default-limits line needs nothing else). @default false */
  readonly convergeOnly?: boolean;
  /** Called with the environment before the fleet is created (e.g. to switch throttling on). */
  readonly beforeFleet?: (env: TestEnv) => Promise<void>;
  /** Called once the converge went quiet, before anything else (e.g. to read throttling). */
  readonly afterConverge?: (env: TestEnv) => Promise<void>;
}

/** Calls in one phase. */
export interface PhaseCalls {
  readonly calls: number;
  readonly writes: number;
  readonly byAction: Readonly<Record<string, number>>;
}

export interface RunFigures {
  readonly groups: number;
  readonly loadStart: readonly number[];
  readonly loadEnd: readonly number[];
  readonly rssNoIngressMiB: number;
  readonly addressesSeconds: number;
  readonly lastCallSeconds: number;
  readonly converge: PhaseCalls;
  readonly touch?: PhaseCalls;
  readonly restart?: PhaseCalls;
  /** The first controller, after the converge and the touch. */
  readonly rssFleetMiB?: number;
  /** The second controller, after its start-up with the fleet. */
  readonly rssRestartedMiB?: number;
  readonly delete?: PhaseCalls;
  readonly deleteSeconds?: number;
  /** The audit's findings once every Ingress was gone; empty: nothing left. */
  readonly leftOver?: readonly string[];
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CONCURRENCY = 16;

function phase(calls: readonly ProxyCall[]): PhaseCalls {
  const byAction: Record<string, number> = {};
  for (const c of calls) byAction[c.action] = (byAction[c.action] ?? 0) + 1;
  return { calls: calls.length, writes: calls.filter((c) => c.mutating).length, byAction };
}

/**
 * Waits until the proxy saw no call for `quietMs`; returns the wall time (ms, Date.now)
 * of the last call after index `from`, or `undefined` if none came.
 */
async function quiet(
  proxy: FaultProxy,
  epoch: number,
  from: number,
  quietMs: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let seen = proxy.calls().length;
  let lastChange = Date.now();
  for (;;) {
    await delay(100);
    const n = proxy.calls().length;
    if (n !== seen) {
      seen = n;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange >= quietMs) break;
    if (Date.now() > deadline) throw new Error(`AWS calls never stopped (${String(n)} so far)`);
  }
  const last = proxy.calls().slice(from).at(-1);
  return last === undefined ? undefined : epoch + last.at;
}

async function ready(proc: ControllerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await proc
      .health('/readyz')
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(`${proc.name} never became ready\n${proc.recentLog()}`);
    }
    await delay(100);
  }
}

function rssMiB(proc: ControllerProcess): number {
  return readRss(proc.pid).rssMb;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(250);
  }
}

/** One run of `shape` in a fresh environment; stops everything it started. */
export async function compareRun(shape: Shape, options: RunOptions): Promise<RunFigures> {
  const quietMs = options.quietMs ?? 5000;
  const loadStart = loadavg();
  const env = await TestEnv.start({ detached: false });
  const launcher = controllerLauncher();
  const epoch = Date.now();
  const proxy = await FaultProxy.start({ target: env.state.awsEndpoint });
  try {
    const ns = await env.freshNamespace('compare');
    const core = env.kc.makeApiClient(CoreV1Api);
    const net = env.kc.makeApiClient(NetworkingV1Api);
    const indexes = Array.from({ length: shape.ingresses }, (_, i) => i);
    const group = shape.grouped ? `${ns}-group` : undefined;
    await eachLimited(indexes.flatMap(fleetServiceNames), CONCURRENCY, (name) =>
      core.createNamespacedService({ namespace: ns, body: fleetService(ns, name) }),
    );
    const start = (name: string): ControllerProcess =>
      launcher.start(env, {
        name,
        command: compiledControllerCommand(),
        env: { NODE_ENV: 'production' },
        awsEndpoint: proxy.endpoint,
        args: [
          '--workers',
          '3',
          '--leader-election=false',
          ...(options.rateLimits !== undefined
            ? ['--aws-api-rate-limits', options.rateLimits]
            : []),
        ],
      });

    let first = start('first');
    await ready(first, options.timeoutMs);
    await quiet(proxy, epoch, 0, Math.min(quietMs, 2000), options.timeoutMs);
    const rssNoIngressMiB = rssMiB(first);
    await options.beforeFleet?.(env);

    // Converge.
    const convergeFrom = proxy.calls().length;
    const started = Date.now();
    await eachLimited(indexes, CONCURRENCY, (i) =>
      net.createNamespacedIngress({ namespace: ns, body: fleetIngress(ns, i, group) }),
    );
    const addressed = async (): Promise<number> =>
      (await net.listNamespacedIngress({ namespace: ns })).items.filter(
        (i) => i.status?.loadBalancer?.ingress?.[0]?.hostname !== undefined,
      ).length;
    let lastCount = 0;
    try {
      await until(
        'every Ingress to have an address',
        async () => (lastCount = await addressed()) >= shape.ingresses,
        options.timeoutMs,
      );
    } catch (err) {
      throw new Error(
        `${String(lastCount)} of ${String(shape.ingresses)} addressed\n${first.recentLog()}`,
        { cause: err },
      );
    }
    const addressesSeconds = (Date.now() - started) / 1000;
    const lastAt = await quiet(proxy, epoch, convergeFrom, quietMs, options.timeoutMs);
    const lastCallSeconds = ((lastAt ?? started) - started) / 1000;
    const converge = phase(proxy.calls().slice(convergeFrom));
    await options.afterConverge?.(env);
    const groups = shape.grouped ? 1 : shape.ingresses;
    const base = {
      groups,
      loadStart,
      rssNoIngressMiB,
      addressesSeconds,
      lastCallSeconds,
      converge,
    };
    if (options.convergeOnly === true) return { ...base, loadEnd: loadavg() };

    // Every Ingress touched with a change no load balancer depends on.
    const touchFrom = proxy.calls().length;
    await eachLimited(indexes, CONCURRENCY, (i) =>
      net.patchNamespacedIngress(
        {
          name: `app-${String(i)}`,
          namespace: ns,
          body: { metadata: { labels: { 'bench.albatross.dev/touched': String(Date.now()) } } },
        },
        mergePatch,
      ),
    );
    await quiet(proxy, epoch, touchFrom, quietMs, options.timeoutMs);
    const touch = phase(proxy.calls().slice(touchFrom));
    const rssFleetMiB = rssMiB(first);

    // A restart with nothing changed.
    await first.stop('SIGTERM');
    const restartFrom = proxy.calls().length;
    first = start('second');
    await ready(first, options.timeoutMs);
    await quiet(proxy, epoch, restartFrom, quietMs, options.timeoutMs);
    const restart = phase(proxy.calls().slice(restartFrom));
    const rssRestartedMiB = rssMiB(first);

    // Delete everything.
    const deleteFrom = proxy.calls().length;
    const deleting = Date.now();
    await eachLimited(indexes, CONCURRENCY, (i) =>
      net.deleteNamespacedIngress({ name: `app-${String(i)}`, namespace: ns }),
    );
    await until(
      'every Ingress to be gone',
      async () => (await net.listNamespacedIngress({ namespace: ns })).items.length === 0,
      options.timeoutMs,
    );
    const deleteSeconds = (Date.now() - deleting) / 1000;
    await quiet(proxy, epoch, deleteFrom, quietMs, options.timeoutMs);
    const deleted = phase(proxy.calls().slice(deleteFrom));
    const report = await auditUntilClean(env, { namespaces: [ns] }, 15_000);
    return {
      ...base,
      loadEnd: loadavg(),
      touch,
      restart,
      rssFleetMiB,
      rssRestartedMiB,
      delete: deleted,
      deleteSeconds,
      leftOver: report.problems,
    };
  } finally {
    await launcher.stopAll();
    await proxy.stop();
    await env.stop();
  }
}
