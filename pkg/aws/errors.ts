/**
 * AWS failures as the reconciler needs to see them. The SDK has already retried
 * throttling and 5xx by the time an error reaches us; what remains is either
 * eventual consistency (worth a short retry here), or something to report.
 */
export const eventualConsistencyCodes = [
  'DependencyViolation',
  'ResourceInUse',
  'LoadBalancerNotFound',
  'TargetGroupNotFound',
  'ListenerNotFound',
  'RuleNotFound',
  'InvalidGroup.NotFound',
  'InvalidSubnetID.NotFound',
  // WAFv2 and WAF Regional: a load balancer just created is not yet associable.
  'WAFUnavailableEntity',
] as const;

export class AwsError extends Error {
  override readonly name = 'AwsError';
  readonly code: string;
  readonly operation: string;
  readonly retryable: boolean;

  constructor(
    operation: string,
    code: string,
    message: string,
    retryable: boolean,
    cause?: unknown,
  ) {
    super(`${operation}: ${code}: ${message}`, { cause });
    this.operation = operation;
    this.code = code;
    this.retryable = retryable;
  }
}

/**
 * The AWS error code of a thrown SDK error, or of an AwsError that wraps one (a caller
 * cannot tell whether a retry helper wrapped it already), or `undefined` for anything
 * else. The SDK names ELBv2's modelled errors `…Exception` (`LoadBalancerNotFoundException`)
 * while the wire code, and EC2's codes, have no suffix; we use the wire form everywhere.
 */
export function awsErrorCode(err: unknown): string | undefined {
  if (err instanceof AwsError) return err.code;
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return undefined;
  return err instanceof Error ? err.name.replace(/Exception$/, '') : undefined;
}

export function isEventualConsistency(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && (eventualConsistencyCodes as readonly string[]).includes(code);
}

/** Wraps an SDK error once, naming the operation; the reconciler requeues when `retryable`. */
export function toAwsError(operation: string, err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  const code = awsErrorCode(err) ?? 'Unknown';
  const message = err instanceof Error ? err.message : String(err);
  const sdkRetryable =
    typeof err === 'object' && err !== null && '$retryable' in err && err.$retryable !== undefined;
  return new AwsError(operation, code, message, sdkRetryable || isEventualConsistency(err), err);
}
