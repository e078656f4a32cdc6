/**
 * The client-side rate limiter: one token bucket per API family, in front of every
 * attempt on the wire (a retry spends a token at AWS too, so it spends one here). A
 * caller that finds its bucket empty waits for its token instead of being throttled by
 * AWS, failing after the SDK's attempts and backing off a whole reconcile.
 *
 * A throttled answer means AWS's bucket for that family is empty whatever ours says
 * (another tool shares the account, or a limit is set above AWS's): the family's bucket
 * is emptied too, so every caller of the family slows down together rather than each
 * learning it from a throttle of its own.
 */
import { systemClock, type Clock } from '../clock/index.ts';
import { familiesOf, type ApiFamily, type RateLimit, type RateLimits } from './api-families.ts';

/** Waits `ms` on `clock`; rejects with the signal's reason when it aborts first. */
function wait(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortReason(signal));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
}

/**
 * A token bucket that hands out reservations: the balance may go below zero, and each
 * caller waits until its own token has been refilled. Callers are served in arrival
 * order without a queue or a polling loop.
 */
class TokenBucket {
  readonly #limit: RateLimit;
  #tokens: number;
  #at: number;

  constructor(limit: RateLimit, now: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#at = now;
  }

  #refill(now: number): void {
    const added = ((now - this.#at) / 1000) * this.#limit.ratePerSecond;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + added);
    this.#at = now;
  }

  /** Takes a token; returns how many ms the caller must wait before using it. */
  reserve(now: number): number {
    this.#refill(now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#limit.ratePerSecond) * 1000;
  }

  /** Gives back a token reserved by a caller that gave up waiting. */
  cancel(): void {
    this.#tokens += 1;
  }

  /** Nothing left to hand out now (AWS said so). */
  drain(now: number): void {
    this.#refill(now);
    this.#tokens = Math.min(this.#tokens, 0);
  }
}

export class ApiRateLimiter {
  readonly limits: RateLimits;
  readonly #clock: Clock;
  readonly #buckets = new Map<ApiFamily, TokenBucket>();
  readonly #waitedMs = new Map<ApiFamily, number>();

  constructor(limits: RateLimits, clock: Clock = systemClock()) {
    this.limits = limits;
    this.#clock = clock;
    const now = clock.now();
    for (const [family, limit] of Object.entries(limits) as [ApiFamily, RateLimit][]) {
      this.#buckets.set(family, new TokenBucket(limit, now));
    }
  }

  /**
   * Waits for a token of every family `operation` belongs to. Rejects with the signal's
   * reason when it aborts first, giving the tokens back.
   */
  async acquire(service: string, operation: string, signal?: AbortSignal): Promise<void> {
    const now = this.#clock.now();
    let waitMs = 0;
    let slowest: ApiFamily | undefined;
    const held: TokenBucket[] = [];
    for (const family of familiesOf(service, operation)) {
      const bucket = this.#buckets.get(family);
      if (bucket === undefined) continue;
      held.push(bucket);
      const ms = bucket.reserve(now);
      if (ms > waitMs) {
        waitMs = ms;
        slowest = family;
      }
    }
    if (slowest === undefined) return;
    try {
      await wait(this.#clock, waitMs, signal);
    } catch (err) {
      for (const bucket of held) bucket.cancel();
      throw err;
    }
    this.#waitedMs.set(slowest, (this.#waitedMs.get(slowest) ?? 0) + waitMs);
  }

  /** AWS throttled `operation`: empty its families' buckets. */
  throttled(service: string, operation: string): void {
    const now = this.#clock.now();
    for (const family of familiesOf(service, operation)) this.#buckets.get(family)?.drain(now);
  }

  /** Seconds callers spent waiting, by the family that made them wait. */
  waitSeconds(): readonly { readonly family: ApiFamily; readonly seconds: number }[] {
    return [...this.#waitedMs.entries()].map(([family, ms]) => ({ family, seconds: ms / 1000 }));
  }
}
