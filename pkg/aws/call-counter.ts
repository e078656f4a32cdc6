/**
 * Every AWS call passes one middleware that counts it by service, operation and
 * outcome. The Prometheus metrics and the tests' "no mutating call in steady state"
 * checks both read this one counter, so they cannot disagree.
 */
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import { isThrottlingCode } from './throttling.ts';

export type CallOutcome = 'success' | 'error';

export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly outcome: CallOutcome;
  /** The AWS error code (`err.name`) for failed calls. */
  readonly errorCode?: string;
  /** Which attempt of the SDK's retry this was (1 = the first). @default 1 */
  readonly attempt?: number;
}

/** A count per service and operation. */
export interface OperationCount {
  readonly service: string;
  readonly operation: string;
  readonly count: number;
}

/** Reads are Describe*, Get* and List*; everything else changes something. */
export function isMutating(operation: string): boolean {
  return !/^(Describe|Get|List)/.test(operation);
}

export class CallCounter {
  readonly #counts = new Map<string, number>();
  readonly #throttled = new Map<string, number>();
  readonly #retries = new Map<string, number>();
  readonly #listeners = new Set<(call: CallRecord) => void>();

  record(call: CallRecord): void {
    const key = `${call.service}\u0000${call.operation}\u0000${call.outcome}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    const op = `${call.service}\u0000${call.operation}`;
    if (isThrottlingCode(call.errorCode))
      this.#throttled.set(op, (this.#throttled.get(op) ?? 0) + 1);
    if ((call.attempt ?? 1) > 1) this.#retries.set(op, (this.#retries.get(op) ?? 0) + 1);
    for (const listener of this.#listeners) listener(call);
  }

  /** Attempts AWS answered with a throttling error, by service and operation. */
  throttled(): readonly OperationCount[] {
    return byOperation(this.#throttled);
  }

  /** Attempts that were the SDK's retries (attempt 2 and later), by service and operation. */
  retries(): readonly OperationCount[] {
    return byOperation(this.#retries);
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
    this.#throttled.clear();
    this.#retries.clear();
  }
}

function byOperation(counts: ReadonlyMap<string, number>): readonly OperationCount[] {
  return [...counts.entries()].map(([key, count]) => {
    const [service = '', operation = ''] = key.split('\u0000');
    return { service, operation, count };
  });
}

/** The SDK's `amz-sdk-request: attempt=N; max=M` header, read from the request. */
function attemptOf(request: unknown): number {
  if (typeof request !== 'object' || request === null || !('headers' in request)) return 1;
  const headers = request.headers;
  if (typeof headers !== 'object' || headers === null) return 1;
  const value = (headers as Record<string, unknown>)['amz-sdk-request'];
  const match = typeof value === 'string' ? /attempt=(\d+)/.exec(value) : null;
  return match?.[1] !== undefined ? Number(match[1]) : 1;
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
    const attempt = attemptOf(args.request);
    try {
      const result = await next(args);
      counter.record({ service, operation, outcome: 'success', attempt });
      return result;
    } catch (err) {
      const errorCode = err instanceof Error ? err.name : 'Unknown';
      counter.record({ service, operation, outcome: 'error', errorCode, attempt });
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
