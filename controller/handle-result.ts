/**
 * The one place that turns what a reconcile returned or threw into a queue action, an
 * Event and a log level (controller-runtime's habit: one switch, nowhere else).
 *
 * | settled as                      | queue                | Event (reason)                 | log   |
 * |---------------------------------|----------------------|--------------------------------|-------|
 * | result                          | forget (or after N)  | Normal SuccessfullyReconciled  | info  |
 * | result waiting on AWS           | after N              | none (the reconciler's own)    | info  |
 * | RequeueAfter                    | after delayMs        | none                           | info  |
 * | aborted (shutdown, lost lease)  | add again            | none                           | info  |
 * | AnnotationError                 | forget               | Warning FailedBuildModel       | warn  |
 * | ConfigError                     | back-off             | Warning FailedBuildModel       | warn  |
 * | AwsError{retryable}             | back-off             | Warning FailedDeployModel      | warn  |
 * | AwsError (not retryable)        | back-off             | Warning FailedDeployModel      | error |
 * | QuotaError (AWS refused a quota) | after retryAfterMs   | Warning QuotaExceeded          | warn  |
 * | Kubernetes 409 Conflict         | back-off             | none                           | info  |
 * | TerminalError                   | forget               | Warning FailedReconcile        | error |
 * | anything else                   | back-off             | Warning FailedReconcile        | error |
 *
 * A quota refusal waits long and fixed (QuotaError.retryAfterMs, 10 min): the same call is
 * refused until the group shrinks (a watch event reconciles it at once) or the quota is
 * raised, so retrying sooner only repeats the refusal (pkg/deploy/quota-refusal.ts).
 * A non-retryable AWS error is still retried (slowly): access denied or a quota is fixed
 * outside the cluster, where no watch event would tell us. An AnnotationError is not:
 * the user's edit of the Ingress produces the event that retries it.
 */
import type { LogLevel } from './log.ts';

/** What a reconcile returns when it did not throw. */
export interface ReconcileResult {
  /** Changes applied to AWS (and Kubernetes writes) in this reconcile, for the log line. */
  readonly changesApplied: number;
  /** Reconcile this key again after this many ms, without counting a failure. */
  readonly requeueAfterMs?: number;
  /**
   * What AWS still holds (a delete it refused because the resource is in use): the
   * reconcile is not done, but not failed either; it comes back after `requeueAfterMs`.
   */
  readonly waitingOn?: string;
}

export type ReconcileSettled =
  | { readonly kind: 'returned'; readonly result: ReconcileResult }
  | { readonly kind: 'threw'; readonly error: unknown; readonly aborted?: boolean };

export type QueueAction =
  /** Done: reset back-off. */
  | { readonly kind: 'forget' }
  /** Failed: count a failure and retry after the key's back-off delay. */
  | { readonly kind: 'backoff' }
  /** Not a failure: reset back-off and reconcile again after `delayMs` (0 = at once). */
  | { readonly kind: 'after'; readonly delayMs: number };

/** The label of `albatross_reconcile_total{outcome}` and of the reconcile log line. */
export type ReconcileOutcome = 'success' | 'requeue' | 'aborted' | 'error' | 'terminal';

export interface ReconcileEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface HandledResult {
  readonly action: QueueAction;
  readonly outcome: ReconcileOutcome;
  readonly logLevel: LogLevel;
  readonly event?: ReconcileEvent;
  /** The label of `albatross_reconcile_errors_total{reason}`, for failures. */
  readonly errorReason?: string;
  readonly changesApplied: number;
  /** What was thrown, for the log line. */
  readonly error?: unknown;
}

/** Kubernetes truncates Event messages at 1 KiB; we cut first so the end says so. */
const maxEventMessage = 1000;

export function handleResult(settled: ReconcileSettled): HandledResult {
  if (settled.kind === 'returned') {
    const { changesApplied, requeueAfterMs, waitingOn } = settled.result;
    if (waitingOn !== undefined) {
      return {
        action: { kind: 'after', delayMs: requeueAfterMs ?? 0 },
        outcome: 'requeue',
        logLevel: 'info',
        changesApplied,
      };
    }
    return {
      action:
        requeueAfterMs !== undefined && requeueAfterMs > 0
          ? { kind: 'after', delayMs: requeueAfterMs }
          : { kind: 'forget' },
      outcome: 'success',
      logLevel: 'info',
      event: {
        type: 'Normal',
        reason: 'SuccessfullyReconciled',
        message: 'Successfully reconciled',
      },
      changesApplied,
    };
  }
  const { error } = settled;
  const base = { changesApplied: 0, error } as const;
  if (settled.aborted === true || named(error, 'AbortError')) {
    return { ...base, action: { kind: 'after', delayMs: 0 }, outcome: 'aborted', logLevel: 'info' };
  }
  if (named(error, 'RequeueAfter')) {
    const delayMs = numberField(error, 'delayMs') ?? 0;
    return { ...base, action: { kind: 'after', delayMs }, outcome: 'requeue', logLevel: 'info' };
  }
  if (named(error, 'AnnotationError')) {
    return failure(base, 'forget', 'error', 'warn', 'FailedBuildModel', 'annotation');
  }
  if (named(error, 'ConfigError')) {
    return failure(base, 'backoff', 'error', 'warn', 'FailedBuildModel', 'config');
  }
  if (named(error, 'QuotaError')) {
    const delayMs = numberField(error, 'retryAfterMs') ?? 600_000;
    return {
      ...failure(base, 'backoff', 'error', 'warn', 'QuotaExceeded', 'quota'),
      action: { kind: 'after', delayMs },
    };
  }
  if (named(error, 'AwsError')) {
    const retryable = typeof error === 'object' && error !== null && 'retryable' in error;
    return retryable && error.retryable === true
      ? failure(base, 'backoff', 'error', 'warn', 'FailedDeployModel', 'aws_retryable')
      : failure(base, 'backoff', 'error', 'error', 'FailedDeployModel', 'aws');
  }
  if (numberField(error, 'code') === 409) {
    // An optimistic-concurrency conflict on a Kubernetes write: someone else wrote first;
    // the next attempt reads the new version. Not worth an Event.
    return {
      ...base,
      action: { kind: 'backoff' },
      outcome: 'error',
      logLevel: 'info',
      errorReason: 'conflict',
    };
  }
  if (named(error, 'TerminalError')) {
    return failure(base, 'forget', 'terminal', 'error', 'FailedReconcile', 'terminal');
  }
  return failure(base, 'backoff', 'error', 'error', 'FailedReconcile', 'unknown');
}

function failure(
  base: { readonly changesApplied: number; readonly error: unknown },
  action: 'forget' | 'backoff',
  outcome: ReconcileOutcome,
  logLevel: LogLevel,
  reason: string,
  errorReason: string,
): HandledResult {
  return {
    ...base,
    action: { kind: action },
    outcome,
    logLevel,
    event: { type: 'Warning', reason, message: eventMessage(base.error) },
    errorReason,
  };
}

function eventMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length <= maxEventMessage
    ? message
    : `${message.slice(0, maxEventMessage - 15)}… (truncated)`;
}

function named(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

function numberField(error: unknown, field: string): number | undefined {
  if (typeof error !== 'object' || error === null || !(field in error)) return undefined;
  const value: unknown = (error as Record<string, unknown>)[field];
  return typeof value === 'number' ? value : undefined;
}
