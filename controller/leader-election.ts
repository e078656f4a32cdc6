/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the Lease's
 * resourceVersion is the lock (a replace with a stale version fails with 409), and a
 * candidate judges expiry by when *it* last saw the record change, never by the
 * timestamps in it, so clock skew between replicas cannot make two leaders.
 *
 * - A follower retries every `retryPeriodMs`; it takes the Lease when the holder is
 *   empty (released) or the record has not changed for the Lease's duration.
 * - The leader renews every `retryPeriodMs`; if no renewal succeeds for
 *   `renewDeadlineMs`, it stops leading (the caller exits, so nothing writes without
 *   the Lease).
 * - Cancelled (SIGTERM) while leading, it releases the Lease, holder emptied and
 *   duration 1 s, so a follower takes over at its next retry instead of waiting.
 *
 * Written here rather than taken from @kubernetes/client-node, whose elector is not in
 * the version we use; see docs/decisions.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import { sleep, systemClock, type Clock } from '../pkg/clock/index.ts';
import type { Logger } from './log.ts';

/** The three Lease operations the elector needs; `read` resolves `undefined` on 404. */
export interface LeaseClient {
  read(): Promise<V1Lease | undefined>;
  /** Resolves `undefined` when the write lost a race (409 Conflict / AlreadyExists). */
  create(lease: V1Lease): Promise<V1Lease | undefined>;
  replace(lease: V1Lease): Promise<V1Lease | undefined>;
}

export function kubeLeaseClient(kc: KubeConfig, namespace: string, name: string): LeaseClient {
  const api = kc.makeApiClient(CoordinationV1Api);
  return {
    read: () => api.readNamespacedLease({ name, namespace }).catch(onStatus(404)),
    create: (body) => api.createNamespacedLease({ namespace, body }).catch(onStatus(409)),
    replace: (body) => api.replaceNamespacedLease({ name, namespace, body }).catch(onStatus(409)),
  };
}

function onStatus(code: number): (err: unknown) => undefined {
  return (err) => {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === code) {
      return undefined;
    }
    throw err;
  };
}

/** `hostname_random`: unique per process, readable in `kubectl get lease`. */
export function electionIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export interface LeaderElectionOptions {
  readonly lease: LeaseClient;
  /** The Lease's metadata.name (the client already knows its namespace). */
  readonly leaseName: string;
  readonly identity: string;
  /** @default 15000 */
  readonly leaseDurationMs?: number;
  /** @default 10000 */
  readonly renewDeadlineMs?: number;
  /** @default 2000 */
  readonly retryPeriodMs?: number;
  /** Release the Lease when `run`'s signal aborts while leading. @default true */
  readonly releaseOnCancel?: boolean;
  /**
   * Called on becoming leader; `signal` aborts when leadership ends. Not awaited: the
   * leader-only work runs beside the renew loop.
   */
  readonly onStartedLeading: (signal: AbortSignal) => void;
  /** Called once leadership has ended (after the release, if any). */
  readonly onStoppedLeading: (reason: 'cancelled' | 'lost') => void;
  /** Called when the observed holder changes (including to ourselves). */
  readonly onNewLeader?: (identity: string) => void;
  /** @default systemClock() */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: () => number;
  readonly log?: Logger;
}

export class LeaderElector {
  readonly #o: LeaderElectionOptions;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #retryMs: number;
  #leading = false;
  #observed: { holder: string; resourceVersion: string; durationMs: number } | undefined;
  #observedAt = 0;
  #reportedLeader: string | undefined;
  #started = false;

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock();
    this.#leaseMs = options.leaseDurationMs ?? 15_000;
    this.#renewMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2000;
  }

  get identity(): string {
    return this.#o.identity;
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** True once the elector has talked to the API server (leader or standby). */
  get started(): boolean {
    return this.#started;
  }

  /** The holder last seen in the Lease; empty when released. */
  get observedLeader(): string | undefined {
    return this.#observed?.holder;
  }

  /**
   * Campaigns until leading, then renews until `signal` aborts (resolves 'cancelled',
   * after releasing when so configured) or a renewal deadline passes (resolves 'lost').
   * Resolves 'cancelled' without leading if aborted while a follower.
   */
  async run(signal: AbortSignal): Promise<'cancelled' | 'lost'> {
    if (!(await this.#acquire(signal))) return 'cancelled';
    const leading = new AbortController();
    this.#leading = true;
    this.#o.log?.info('started leading', { lease: this.#o.leaseName, identity: this.identity });
    try {
      this.#o.onStartedLeading(leading.signal);
    } catch (err) {
      this.#o.log?.error('onStartedLeading threw', { error: err });
    }
    const reason = await this.#renew(signal);
    this.#leading = false;
    leading.abort();
    if (reason === 'cancelled' && this.#o.releaseOnCancel !== false) await this.#release();
    this.#o.log?.log(reason === 'lost' ? 'error' : 'info', 'stopped leading', {
      lease: this.#o.leaseName,
      identity: this.identity,
      reason,
    });
    this.#o.onStoppedLeading(reason);
    return reason;
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.#attempt('acquire')) return true;
      await sleep(this.#clock, this.#jittered(), signal);
    }
    return false;
  }

  async #renew(signal: AbortSignal): Promise<'cancelled' | 'lost'> {
    let lastRenew = this.#clock.now();
    for (;;) {
      await sleep(this.#clock, this.#retryMs, signal);
      if (signal.aborted) return 'cancelled';
      const remaining = lastRenew + this.#renewMs - this.#clock.now();
      // A hung request must not keep us leading past the deadline.
      const renewed =
        remaining > 0 ? await this.#withDeadline(this.#attempt('renew'), remaining) : false;
      if (renewed) lastRenew = this.#clock.now();
      else if (this.#clock.now() - lastRenew >= this.#renewMs) return 'lost';
    }
  }

  /** One read-then-write; true when we hold the Lease afterwards. Errors count as false. */
  async #attempt(purpose: 'acquire' | 'renew'): Promise<boolean> {
    try {
      return await this.#tryAcquireOrRenew();
    } catch (err) {
      this.#o.log?.warn(`lease ${purpose} failed`, { lease: this.#o.leaseName, error: err });
      return false;
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#clock.now();
    const current = await this.#o.lease.read();
    this.#started = true;
    const durationSeconds = Math.max(1, Math.ceil(this.#leaseMs / 1000));
    if (current === undefined) {
      const created = await this.#o.lease.create({
        metadata: { name: this.#o.leaseName },
        spec: {
          holderIdentity: this.identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: new V1MicroTime(now),
          renewTime: new V1MicroTime(now),
          leaseTransitions: 0,
        },
      });
      if (created === undefined) return false;
      this.#observe(created);
      return true;
    }
    this.#observe(current);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const ours = holder === this.identity;
    if (!ours && holder !== '' && this.#observedAt + (this.#observed?.durationMs ?? 0) > now) {
      return false;
    }
    const replaced = await this.#o.lease.replace(
      withSpec(current, {
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime:
          ours && spec.acquireTime !== undefined ? spec.acquireTime : new V1MicroTime(now),
        renewTime: new V1MicroTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
      }),
    );
    if (replaced === undefined) return false;
    this.#observe(replaced);
    return true;
  }

  /** Remembers the record and when it last changed; expiry is judged from our clock. */
  #observe(lease: V1Lease): void {
    const holder = lease.spec?.holderIdentity ?? '';
    const resourceVersion = lease.metadata?.resourceVersion ?? '';
    if (
      this.#observed === undefined ||
      this.#observed.resourceVersion !== resourceVersion ||
      this.#observed.holder !== holder
    ) {
      this.#observed = {
        holder,
        resourceVersion,
        durationMs: (lease.spec?.leaseDurationSeconds ?? 0) * 1000,
      };
      this.#observedAt = this.#clock.now();
    }
    if (holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      if (holder !== '') this.#o.onNewLeader?.(holder);
    }
  }

  async #release(): Promise<void> {
    try {
      const current = await this.#o.lease.read();
      if (current?.spec?.holderIdentity !== this.identity) return;
      const now = this.#clock.now();
      const released = await this.#o.lease.replace(
        withSpec(current, {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: new V1MicroTime(now),
          renewTime: new V1MicroTime(now),
          leaseTransitions: current.spec.leaseTransitions ?? 0,
        }),
      );
      if (released !== undefined) this.#observe(released);
      this.#o.log?.info('released lease', { lease: this.#o.leaseName, identity: this.identity });
    } catch (err) {
      this.#o.log?.warn('lease release failed; a follower takes over when it expires', {
        lease: this.#o.leaseName,
        error: err,
      });
    }
  }

  /** client-go's JitterFactor 1.2: followers do not retry in lock-step. */
  #jittered(): number {
    return Math.round(this.#retryMs * (1 + 0.2 * (this.#o.random ?? Math.random)()));
  }

  async #withDeadline(attempt: Promise<boolean>, ms: number): Promise<boolean> {
    const timeUp = new AbortController();
    const result = await Promise.race([
      attempt,
      sleep(this.#clock, ms, timeUp.signal).then(() => false),
    ]);
    timeUp.abort();
    return result;
  }
}

/** The Lease with its spec's election fields replaced; resourceVersion kept as the lock. */
function withSpec(
  current: V1Lease,
  election: Required<
    Pick<
      V1LeaseSpec,
      'holderIdentity' | 'leaseDurationSeconds' | 'acquireTime' | 'renewTime' | 'leaseTransitions'
    >
  >,
): V1Lease {
  const spec: V1LeaseSpec = { ...election };
  if (current.spec?.preferredHolder !== undefined)
    spec.preferredHolder = current.spec.preferredHolder;
  if (current.spec?.strategy !== undefined) spec.strategy = current.spec.strategy;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: current.metadata ?? {},
    spec,
  };
}
