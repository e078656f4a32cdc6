/**
 * N workers taking keys from one WorkQueue. Stopping is graceful: the queue stops
 * handing out keys, in-flight keys finish, and only past the deadline are they
 * cancelled through their AbortSignal.
 */
import { sleep, systemClock, type Clock } from '../pkg/clock/index.ts';
import type { WorkQueue } from './work-queue.ts';

export interface WorkerPoolOptions {
  readonly queue: WorkQueue;
  /** @default 1 */
  readonly workers?: number;
  /** Processes one key. Should not throw; a throw is passed to `onUnexpectedError`. */
  readonly process: (key: string, signal: AbortSignal) => Promise<void>;
  readonly onUnexpectedError?: (key: string, error: unknown) => void;
  /** @default systemClock() */
  readonly clock?: Clock;
}

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #clock: Clock;
  readonly #cancel = new AbortController();
  #running: Promise<void>[] = [];

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock();
  }

  start(): void {
    if (this.#running.length > 0) return;
    const count = Math.max(1, this.#options.workers ?? 1);
    this.#running = Array.from({ length: count }, () => this.#work());
  }

  /**
   * Stops taking keys and waits up to `deadlineMs` for in-flight ones; then cancels
   * them. Resolves `true` when everything finished before the deadline.
   */
  async stop(deadlineMs: number): Promise<boolean> {
    this.#options.queue.shutDown();
    const all = Promise.all(this.#running).then(() => true);
    const timeUp = new AbortController();
    const drained = await Promise.race([
      all,
      sleep(this.#clock, deadlineMs, timeUp.signal).then(() => false),
    ]);
    timeUp.abort();
    if (!drained) this.#cancel.abort(new Error('shutdown deadline passed'));
    return drained;
  }

  /** Resolves when every worker has returned (after `stop`). */
  async finished(): Promise<void> {
    await Promise.all(this.#running);
  }

  async #work(): Promise<void> {
    const { queue } = this.#options;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await this.#options.process(key, this.#cancel.signal);
      } catch (err) {
        this.#options.onUnexpectedError?.(key, err);
      } finally {
        queue.done(key);
      }
    }
  }
}
