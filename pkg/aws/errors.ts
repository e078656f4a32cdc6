/**
 * AWS failures as the reconciler needs to see them. The SDK has already retried
 * throttling and 5xx by the time an error reaches us; what remains is either
 * eventual consistency (worth a short retry here), or something to report.
 */
import { isThrottlingCode } from './throttling.ts';

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
  // Throttling the SDK gave up on is still worth a later try: the reconcile backs off.
  const retryable = sdkRetryable || isEventualConsistency(err) || isThrottlingCode(code);
  return new AwsError(operation, code, message, retryable, err);
}

/**
 * AWS's refusals for a quota, by error code: the quota as the quota pages name it, and
 * AWS's default. Not retryable: the same call is refused until the group shrinks or the
 * quota is raised, outside anything a watch would tell us.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
 */
export const quotaRefusals = {
  TooManyRules: {
    quota: 'rules per Application Load Balancer, default rules excluded',
    default: 100,
  },
  TooManyUniqueTargetGroupsPerLoadBalancer: {
    quota: 'target groups per Application Load Balancer',
    default: 100,
  },
  TooManyTargetGroups: { quota: 'target groups per Region', default: 3000 },
  TooManyListeners: { quota: 'listeners per Application Load Balancer', default: 50 },
  TooManyCertificates: {
    quota: 'certificates per Application Load Balancer, default certificates excluded',
    default: 25,
  },
  TooManyTargets: { quota: 'targets per target group', default: 1000 },
  TooManyLoadBalancers: { quota: 'Application Load Balancers per Region', default: 50 },
  RulesPerSecurityGroupLimitExceeded: {
    quota: 'inbound or outbound rules per security group',
    default: 60,
  },
  SecurityGroupsPerInterfaceLimitExceeded: {
    quota: 'security groups per network interface',
    default: 5,
  },
} as const satisfies Record<string, { readonly quota: string; readonly default: number }>;

export type QuotaCode = keyof typeof quotaRefusals;

/** The quota code of an AWS refusal (an SDK error or an AwsError), if it is one. */
export function quotaCode(err: unknown): QuotaCode | undefined {
  const code = err instanceof AwsError ? err.code : awsErrorCode(err);
  return code !== undefined && Object.hasOwn(quotaRefusals, code) ? (code as QuotaCode) : undefined;
}
