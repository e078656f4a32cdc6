/**
 * A de-duplicating work queue keyed by group, as controller-runtime's: the queue holds
 * keys, never events, because a reconcile re-reads the world.
 *
 * - A key added while queued is not queued twice.
 * - A key added while a worker processes it is queued again once, after `done`; so no
 *   key is ever processed by two workers at once, and no change is missed.
 * - Failures back off per key, exponentially with jitter; `forget` resets the count.
 * - `addAfter` holds a key back (RequeueAfter, back-off); the earliest pending time wins.
 * - `shutDown` stops handing out keys; workers drain what is in flight.
 */
import { systemClock, type Clock, type TimerHandle } from '../pkg/clock/index.ts';

export interface BackoffOptions {
  /** First retry delay. @default 1000 */
  readonly baseMs?: number;
  /** Upper bound before jitter. @default 300000 (5 min) */
  readonly maxMs?: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. @default 0.1 */
  readonly jitter?: number;
}

export interface WorkQueueOptions {
  /** @default systemClock() */
  readonly clock?: Clock;
  readonly backoff?: BackoffOptions;
  /** In [0, 1); injected so back-off is exact in tests. @default Math.random */
  readonly random?: () => number;
}

interface Delayed {
  readonly at: number;
  readonly handle: TimerHandle;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  /** Keys ready for a worker, in order. */
  readonly #queue: string[] = [];
  /** Keys that need processing: in #queue, or waiting for their worker to finish. */
  readonly #dirty = new Set<string>();
  /** Keys a worker holds, with the time it took them. */
  readonly #processing = new Map<string, number>();
  readonly #delayed = new Map<string, Delayed>();
  readonly #failures = new Map<string, number>();
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock();
    this.#random = options.random ?? Math.random;
    this.#baseMs = options.backoff?.baseMs ?? 1000;
    this.#maxMs = options.backoff?.maxMs ?? 300_000;
    this.#jitter = options.backoff?.jitter ?? 0.1;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Adds `key` after `ms`; an earlier pending add of the same key is kept. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const pending = this.#delayed.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      this.#clock.clearTimeout(pending.handle);
    }
    const handle = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { at, handle });
  }

  /** Counts a failure of `key` and adds it after its back-off delay; returns the delay. */
  addRateLimited(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = this.backoffDelay(failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** The delay before retry number `failures` (1-based). */
  backoffDelay(failures: number): number {
    const exponential = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.max(0, failures - 1));
    const factor = 1 + this.#jitter * (this.#random() * 2 - 1);
    return Math.max(0, Math.round(exponential * factor));
  }

  /** Resets `key`'s back-off: its next failure waits the base delay again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /**
   * The next key for a worker, which must call `done(key)` when finished; `undefined`
   * once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
  }

  /** Keys waiting for a worker (the depth metric); held-back keys are not counted. */
  get length(): number {
    return this.#queue.length;
  }

  /** Keys being processed, with when each was taken; for the wedged-worker check. */
  inFlight(): ReadonlyMap<string, number> {
    return this.#processing;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Stops handing out keys and cancels held-back adds; in-flight keys finish normally. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const { handle } of this.#delayed.values()) this.#clock.clearTimeout(handle);
    this.#delayed.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #push(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#queue.push(key);
      return;
    }
    this.#start(key);
    waiter(key);
  }

  #take(): string | undefined {
    const key = this.#queue.shift();
    if (key !== undefined) this.#start(key);
    return key;
  }

  #start(key: string): void {
    this.#dirty.delete(key);
    this.#processing.set(key, this.#clock.now());
  }
}
