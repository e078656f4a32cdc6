/**
 * The middleware that puts the client-side rate limiter in front of every attempt on the
 * wire. It sits at the `deserialize` step like the call counter, below the SDK's retry,
 * so a retry waits for a token as the first attempt did. The SDK hands a call's own
 * `abortSignal` to the HTTP handler only, out of a middleware's sight, so the wait is
 * cancelled by the clients' signal (the process stopping) instead; a wait is at most
 * the time the family's bucket takes to refill the callers ahead of it.
 */
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { ApiRateLimiter } from './rate-limiter.ts';
import { isThrottlingCode } from './throttling.ts';

export function limitRate<Input extends object, Output extends object>(
  stack: MiddlewareStack<Input, Output>,
  service: string,
  limiter: ApiRateLimiter,
  signal?: AbortSignal,
): void {
  const middleware: DeserializeMiddleware<Input, Output> = (next, context) => async (args) => {
    const operation =
      typeof context.commandName === 'string'
        ? context.commandName.replace(/Command$/, '')
        : 'unknown';
    await limiter.acquire(service, operation, signal);
    try {
      return await next(args);
    } catch (err) {
      if (err instanceof Error && isThrottlingCode(err.name)) limiter.throttled(service, operation);
      throw err;
    }
  };
  stack.add(middleware, {
    step: 'deserialize',
    priority: 'high',
    name: 'albatrossRateLimit',
    override: true,
  });
}
