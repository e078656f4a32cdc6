/**
 * A periodic resync: every known group is reconciled at least once per period, even
 * with no watch event, so drift made outside the cluster (someone edits a rule in the
 * console) is corrected. Jitter keeps replicas and restarts from resyncing in step.
 */
import { sleep, systemClock, type Clock } from '../pkg/clock/index.ts';

export interface ResyncOptions {
  readonly periodMs: number;
  /** Each wait is scaled by a random factor in [1, 1 + jitter]. @default 0.1 */
  readonly jitter?: number;
  /** Every key the reconciler knows (its groups); read at each tick. */
  readonly keys: () => Iterable<string>;
  readonly enqueue: (key: string) => void;
  /** Called after each tick with the number of keys enqueued. */
  readonly onTick?: (enqueued: number) => void;
  /** @default systemClock() */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: () => number;
}

/** Runs until `signal` aborts. */
export async function runResync(options: ResyncOptions, signal: AbortSignal): Promise<void> {
  const clock = options.clock ?? systemClock();
  const random = options.random ?? Math.random;
  const jitter = options.jitter ?? 0.1;
  for (;;) {
    await sleep(clock, Math.round(options.periodMs * (1 + jitter * random())), signal);
    if (signal.aborted) return;
    let enqueued = 0;
    for (const key of options.keys()) {
      options.enqueue(key);
      enqueued++;
    }
    options.onTick?.(enqueued);
  }
}
