/**
 * The manager: runs the controller's parts for the life of the process.
 *
 * On every replica: the plug's informers and caches (so a follower is warm), the HTTP
 * endpoints, and the leader election. Only while leading: the reconcile workers and the
 * periodic resync, started once the caches have synced.
 *
 * Shutdown (the `signal` passed to `run` aborts, i.e. SIGTERM/SIGINT): the queue stops
 * handing out keys; in-flight reconciles finish (up to the grace period, then they are
 * cancelled); the Lease is released so a follower takes over at once; the informers stop
 * and the HTTP servers close. `run` resolves 0.
 *
 * Lost lease (a renewal deadline passed): in-flight reconciles are cancelled at once,
 * everything stops, and `run` resolves 1; the process exits non-zero, as controllers
 * do, so nothing keeps writing without the Lease.
 *
 * ## The plug: what the reconciler side provides
 *
 * ```ts
 * interface ControllerPlug {
 *   start(enqueue, signal): Promise<void>  // informers: run until signal aborts; call
 *                                          // enqueue(key) for each key an event touches
 *   hasSynced(): boolean                   // every cache has listed once
 *   keys(): Iterable<string>               // every known key, for resync and on leading
 *   process(key, signal): Promise<HandledResult>  // reconcile one key, settled with
 *                                          // handleResult, its log line and Events done;
 *                                          // `processWith` builds one from a reconcile
 *   managedLoadBalancers?(): number        // for albatross_managed_load_balancers
 *   ungatedPods?(): number                 // for albatross_ungated_pods
 *   duplicatesRepaired?(): Map             // for albatross_duplicates_repaired_total
 * }
 * ```
 *
 * The manager applies the HandledResult's queue action and records the metrics; the
 * plug never touches the queue except through `enqueue`.
 */
import type { ApiRateLimiter, CallCounter } from '../pkg/aws/index.ts';
import { sleep, systemClock, type Clock } from '../pkg/clock/index.ts';
import type { ControllerConfig, ListenAddress } from './config.ts';
import {
  handleResult,
  type HandledResult,
  type ReconcileResult,
  type ReconcileSettled,
} from './handle-result.ts';
import { startHttpServer, type RunningHttpServer } from './http-server.ts';
import { LeaderElector, type LeaseClient } from './leader-election.ts';
import type { Logger } from './log.ts';
import { ControllerMetrics } from './metrics.ts';
import { runResync } from './resync.ts';
import { WorkQueue } from './work-queue.ts';
import { WorkerPool } from './workers.ts';

export interface ControllerPlug {
  /** Runs the informers until `signal` aborts; calls `enqueue` with the keys events touch. */
  start(enqueue: (key: string) => void, signal: AbortSignal): Promise<void>;
  /** True once every cache has listed; workers start only then. */
  hasSynced(): boolean;
  /** Every key known now: enqueued on becoming leader and at each resync. */
  keys(): Iterable<string>;
  /** Reconciles one key and settles it with `handleResult` (see `processWith`). */
  process(key: string, signal: AbortSignal): Promise<HandledResult>;
  managedLoadBalancers?(): number;
  /** Pods that lack a readiness gate they should carry. */
  ungatedPods?(): number;
  /** Duplicates deleted since start, by kind. */
  duplicatesRepaired?(): ReadonlyMap<string, number>;
}

/** The settings the manager reads (a ControllerConfig satisfies it). */
export type ManagerConfig = Pick<
  ControllerConfig,
  | 'workers'
  | 'syncPeriodMs'
  | 'leaderElection'
  | 'metricsAddr'
  | 'healthAddr'
  | 'shutdownGracePeriodMs'
>;

export interface ManagerOptions {
  readonly config: ManagerConfig;
  readonly plug: ControllerPlug;
  readonly log: Logger;
  /** Required when leader election is enabled. */
  readonly lease?: LeaseClient;
  /** This replica's name in the Lease. */
  readonly identity: string;
  /** The AWS call counter, for albatross_aws_api_calls_total. */
  readonly awsCalls?: CallCounter;
  /** The client-side rate limiter, for albatross_aws_rate_limit_wait_seconds_total. */
  readonly awsLimiter?: ApiRateLimiter;
  /** /healthz fails when one reconcile has run this long. @default 900000 (15 min) */
  readonly wedgedAfterMs?: number;
  /** Called once the HTTP servers are bound, with their real addresses. */
  readonly onListening?: (addresses: {
    readonly metrics: ListenAddress;
    readonly health: ListenAddress;
  }) => void;
  /** @default systemClock() */
  readonly clock?: Clock;
  readonly random?: () => number;
}

export type ManagerExit = 0 | 1;

export class Manager {
  readonly queue: WorkQueue;
  readonly metrics: ControllerMetrics;
  readonly #o: ManagerOptions;
  readonly #clock: Clock;
  readonly #elector: LeaderElector | undefined;
  #leading = false;
  #shuttingDown = false;

  constructor(options: ManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock();
    this.queue = new WorkQueue({
      clock: this.#clock,
      ...(options.random !== undefined ? { random: options.random } : {}),
    });
    const le = options.config.leaderElection;
    if (le.enabled) {
      if (options.lease === undefined) throw new Error('leader election needs a LeaseClient');
      this.#elector = new LeaderElector({
        lease: options.lease,
        leaseName: le.name,
        identity: options.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        clock: this.#clock,
        log: options.log,
        onStartedLeading: () => undefined,
        onStoppedLeading: () => undefined,
        onNewLeader: (identity) => {
          options.log.info('leader observed', { leader: identity });
        },
      });
    }
    this.metrics = new ControllerMetrics({
      queueDepth: () => this.queue.length,
      ...(options.awsCalls !== undefined ? { awsCalls: options.awsCalls } : {}),
      ...(options.awsLimiter !== undefined ? { awsLimiter: options.awsLimiter } : {}),
      ...(options.plug.managedLoadBalancers !== undefined
        ? { managedLoadBalancers: () => options.plug.managedLoadBalancers?.() ?? 0 }
        : {}),
      ...(options.plug.ungatedPods !== undefined
        ? { ungatedPods: () => options.plug.ungatedPods?.() ?? 0 }
        : {}),
      ...(options.plug.duplicatesRepaired !== undefined
        ? { duplicatesRepaired: () => options.plug.duplicatesRepaired?.() ?? new Map() }
        : {}),
      isLeader: () => this.isLeader(),
    });
  }

  isLeader(): boolean {
    return this.#elector?.isLeader() ?? this.#leading;
  }

  /** Why the process is not alive and well, or `undefined`. */
  liveness(): string | undefined {
    const limit = this.#o.wedgedAfterMs ?? 900_000;
    const now = this.#clock.now();
    for (const [key, since] of this.queue.inFlight()) {
      if (now - since > limit) {
        return `worker wedged: ${key} in reconcile for ${Math.round((now - since) / 1000)} s`;
      }
    }
    return undefined;
  }

  /** Why this replica is not ready, or `undefined` (leader, or standby with warm caches). */
  readiness(): string | undefined {
    if (this.#shuttingDown) return 'shutting down';
    if (!this.#o.plug.hasSynced()) return 'caches not synced';
    if (this.#elector !== undefined && !this.#elector.started) {
      return 'leader election has not reached the API server yet';
    }
    return undefined;
  }

  /** Runs until `signal` aborts (resolves 0) or the Lease is lost (resolves 1). */
  async run(signal: AbortSignal): Promise<ManagerExit> {
    const { config, log, plug } = this.#o;
    const servers = await this.#listen();
    const informers = new AbortController();
    const informersDone = plug
      .start((key) => {
        this.queue.add(key);
      }, informers.signal)
      .catch((err: unknown) => {
        log.error('informers stopped with an error', { error: err });
      });

    const election = new AbortController();
    const leadership = new AbortController();
    const lost = new AbortController();
    let electionDone: Promise<unknown> = Promise.resolve();
    if (this.#elector === undefined) {
      this.#leading = true;
    } else {
      const elector = this.#elector;
      electionDone = elector.run(election.signal).then((reason) => {
        if (reason === 'lost') lost.abort();
      });
    }
    const leaderWork = this.#leaderWork(leadership.signal, signal, lost.signal);

    await Promise.race([waitAborted(signal), waitAborted(lost.signal)]);
    const exit: ManagerExit = lost.signal.aborted && !signal.aborted ? 1 : 0;
    this.#shuttingDown = true;
    log.info(exit === 0 ? 'shutting down' : 'lease lost: stopping at once', {
      inFlight: [...this.queue.inFlight().keys()],
    });
    leadership.abort();
    const pool = await leaderWork;
    const drained = await (pool?.stop(exit === 0 ? config.shutdownGracePeriodMs : 0) ?? true);
    if (!drained) log.warn('in-flight reconciles cancelled at the deadline');
    await pool?.finished();
    // Only now that nothing writes may a follower take over.
    election.abort();
    await electionDone;
    this.#leading = false;
    informers.abort();
    await informersDone;
    await Promise.all(servers.map((s) => s.close()));
    log.info('stopped', { exitCode: exit });
    return exit;
  }

  /** Waits to lead and for the caches, then runs workers and resync until `stop`. */
  async #leaderWork(
    stop: AbortSignal,
    shutdown: AbortSignal,
    lost: AbortSignal,
  ): Promise<WorkerPool | undefined> {
    const { config, plug, log } = this.#o;
    while (!stop.aborted && (!this.isLeader() || !plug.hasSynced())) {
      await sleep(this.#clock, 100, stop);
    }
    if (stop.aborted || shutdown.aborted || lost.aborted) return undefined;
    log.info('starting workers', { workers: config.workers });
    for (const key of plug.keys()) this.queue.add(key);
    const pool = new WorkerPool({
      queue: this.queue,
      workers: config.workers,
      clock: this.#clock,
      process: (key, signal) => this.#processKey(key, signal),
      onUnexpectedError: (key, error) => {
        log.error('reconcile worker threw', { key, error });
      },
    });
    pool.start();
    void runResync(
      {
        periodMs: config.syncPeriodMs,
        keys: () => plug.keys(),
        enqueue: (key) => {
          this.queue.add(key);
        },
        onTick: (enqueued) => {
          log.debug('resync', { enqueued });
        },
        clock: this.#clock,
        ...(this.#o.random !== undefined ? { random: this.#o.random } : {}),
      },
      stop,
    );
    return pool;
  }

  async #processKey(key: string, signal: AbortSignal): Promise<void> {
    const started = this.#clock.now();
    const handled = await this.#o.plug.process(key, signal);
    const seconds = (this.#clock.now() - started) / 1000;
    applyQueueAction(this.queue, key, handled);
    this.metrics.observeReconcile(handled, seconds);
  }

  /** Binds the metrics and health servers (one server when both addresses are equal). */
  async #listen(): Promise<RunningHttpServer[]> {
    const { metricsAddr, healthAddr } = this.#o.config;
    const health = {
      healthz: () => this.liveness(),
      readyz: () => this.readiness(),
      readyDetail: () => (this.isLeader() ? 'leader' : 'standby'),
    };
    const same =
      metricsAddr.port !== 0 &&
      metricsAddr.port === healthAddr.port &&
      metricsAddr.host === healthAddr.host;
    const servers: RunningHttpServer[] = [];
    try {
      if (same) {
        servers.push(await startHttpServer(metricsAddr, { ...health, metrics: this.metrics }));
      } else {
        servers.push(await startHttpServer(metricsAddr, { metrics: this.metrics }));
        servers.push(await startHttpServer(healthAddr, health));
      }
    } catch (err) {
      await Promise.all(servers.map((s) => s.close()));
      throw err;
    }
    const [metrics, health2 = metrics] = servers.map((s) => s.address);
    if (metrics !== undefined && health2 !== undefined) {
      this.#o.log.info('listening', {
        metrics: formatAddress(metrics),
        health: formatAddress(health2),
      });
      this.#o.onListening?.({ metrics, health: health2 });
    }
    return servers;
  }
}

/** Applies a HandledResult's queue action: the only place the queue learns an outcome. */
export function applyQueueAction(queue: WorkQueue, key: string, handled: HandledResult): void {
  const action = handled.action;
  switch (action.kind) {
    case 'forget':
      queue.forget(key);
      return;
    case 'backoff':
      queue.addRateLimited(key);
      return;
    case 'after':
      queue.forget(key);
      queue.addAfter(key, action.delayMs);
      return;
  }
}

/**
 * A `process` for plugs that only reconcile: settles with handleResult and logs the one
 * line per reconcile.
 */
export function processWith(
  reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult>,
  log: Logger,
  now: () => number = Date.now,
): (key: string, signal: AbortSignal) => Promise<HandledResult> {
  return async (key, signal) => {
    const started = now();
    let settled: ReconcileSettled;
    try {
      settled = { kind: 'returned', result: await reconcile(key, signal) };
    } catch (error) {
      settled = { kind: 'threw', error, aborted: signal.aborted };
    }
    const handled = handleResult(settled);
    log.reconcileLine(key, handled.outcome, handled.changesApplied, now() - started, {
      level: handled.logLevel,
      ...(handled.error !== undefined ? { error: handled.error } : {}),
    });
    return handled;
  };
}

function waitAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

function formatAddress(addr: ListenAddress): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}
