/**
 * Every AWS call passes one middleware that counts it by service, operation and
 * outcome. The Prometheus metrics and the tests' "no mutating call in steady state"
 * checks both read this one counter, so they cannot disagree.
 */
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';

export type CallOutcome = 'success' | 'error';

export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly outcome: CallOutcome;
  /** The AWS error code (`err.name`) for failed calls. */
  readonly errorCode?: string;
}

/** Reads are Describe*, Get* and List*; everything else changes something. */
export function isMutating(operation: string): boolean {
  return !/^(Describe|Get|List)/.test(operation);
}

export class CallCounter {
  readonly #counts = new Map<string, number>();
  readonly #listeners = new Set<(call: CallRecord) => void>();

  record(call: CallRecord): void {
    const key = `${call.service}\u0000${call.operation}\u0000${call.outcome}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    for (const listener of this.#listeners) listener(call);
  }

  /** Calls `listener` for every call from now on; returns the unsubscribe. */
  subscribe(listener: (call: CallRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Counts by `service:operation:outcome`, for metrics and reports. */
  snapshot(): readonly (CallRecord & { readonly count: number })[] {
    return [...this.#counts.entries()].map(([key, count]) => {
      const [service = '', operation = '', outcome = 'success'] = key.split('\u0000');
      return { service, operation, outcome: outcome as CallOutcome, count };
    });
  }

  total(filter: (call: CallRecord) => boolean = () => true): number {
    return this.snapshot()
      .filter(filter)
      .reduce((sum, c) => sum + c.count, 0);
  }

  mutatingCalls(): number {
    return this.total((c) => isMutating(c.operation));
  }

  reset(): void {
    this.#counts.clear();
  }
}

/**
 * Adds the counting step to a client's middleware stack. It sits at the `deserialize`
 * step, below the SDK's retry, so each attempt on the wire is one count.
 */
export function countCalls<Input extends object, Output extends object>(
  stack: MiddlewareStack<Input, Output>,
  service: string,
  counter: CallCounter,
): void {
  const middleware: DeserializeMiddleware<Input, Output> = (next, context) => async (args) => {
    const operation =
      typeof context.commandName === 'string'
        ? context.commandName.replace(/Command$/, '')
        : 'unknown';
    try {
      const result = await next(args);
      counter.record({ service, operation, outcome: 'success' });
      return result;
    } catch (err) {
      const errorCode = err instanceof Error ? err.name : 'Unknown';
      counter.record({ service, operation, outcome: 'error', errorCode });
      throw err;
    }
  };
  // High priority puts it outside the SDK's deserializer, so it sees the parsed error.
  stack.add(middleware, {
    step: 'deserialize',
    priority: 'high',
    name: 'albatrossCallCounter',
    override: true,
  });
}
