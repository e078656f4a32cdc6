/**
 * Retries only what the SDK does not: eventual consistency just after a change
 * (DependencyViolation while an ALB lets go of a security group, NotFound right after a
 * create). Not PriorityInUse: no wait frees a priority, so apply reads who holds it
 * (docs/decisions/0013). Never throttling: the SDK's own retry has
 * already spent its attempts on that, and retrying again would double the back-off.
 */
import pRetry, { AbortError } from 'p-retry';
import { isEventualConsistency, toAwsError } from './errors.ts';

export interface ConsistencyRetryOptions {
  /** @default 5 */
  readonly retries?: number;
  /** @default 200 */
  readonly minTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export async function retryEventualConsistency<T>(
  operation: string,
  fn: () => Promise<T>,
  options: ConsistencyRetryOptions = {},
): Promise<T> {
  try {
    return await pRetry(
      async () => {
        try {
          return await fn();
        } catch (err) {
          if (!isEventualConsistency(err)) throw new AbortError(toAwsError(operation, err));
          throw err;
        }
      },
      {
        retries: options.retries ?? 5,
        minTimeout: options.minTimeoutMs ?? 200,
        factor: 2,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      },
    );
  } catch (err) {
    throw toAwsError(operation, err);
  }
}
