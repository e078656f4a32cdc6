/**
 * A delete AWS refuses because something still uses the resource: a security group whose
 * deleted ALB's network interfaces linger (DependencyViolation, for minutes on AWS), a
 * target group a rule still forwards to (ResourceInUse). Neither is a failure of ours, and
 * neither is fixed by retrying harder: the apply records it as a hold, goes on with the
 * steps that do not depend on it, and the reconciler waits for AWS to let go
 * (docs/decisions/0016-waiting-for-aws-to-let-go.md).
 */
import { AwsError, awsErrorCode } from '../aws/index.ts';
import type { PlannedChange } from '../plan/index.ts';

/** The codes that mean "still in use": worth waiting for, never worth failing over. */
const holdCodes: ReadonlySet<string> = new Set(['DependencyViolation', 'ResourceInUse']);

export interface AwsHold {
  readonly kind: 'SecurityGroup' | 'TargetGroup';
  /** The resource's id in the stack. */
  readonly id: string;
  /** What AWS calls it: `sg-…`, or the target group's ARN. */
  readonly awsId: string;
  /** `DependencyViolation` or `ResourceInUse`. */
  readonly code: string;
}

/** The AWS id of the resource a delete step removes, for the deletes AWS may hold. */
export function heldId(step: PlannedChange): string | undefined {
  if (step.kind === 'SecurityGroup' && step.op === 'delete') return step.actual.groupId;
  if (step.kind === 'TargetGroup' && step.op === 'delete') return step.actual.arn;
  return undefined;
}

/** The hold `err` means for `step`, or `null` when it is a failure like any other. */
export function holdOf(step: PlannedChange, err: unknown): AwsHold | null {
  const awsId = heldId(step);
  const code = err instanceof AwsError ? err.code : awsErrorCode(err);
  if (awsId === undefined || code === undefined || !holdCodes.has(code)) return null;
  const kind = step.kind === 'SecurityGroup' ? 'SecurityGroup' : 'TargetGroup';
  return { kind, id: step.id, awsId, code };
}

/** `security group sg-… still in use by AWS (DependencyViolation)`: what an Event says. */
export function holdMessage(hold: AwsHold): string {
  if (hold.kind === 'SecurityGroup') {
    return `security group ${hold.awsId} still in use by AWS (${hold.code})`;
  }
  const name = /:targetgroup\/([^/]+)\//.exec(hold.awsId)?.[1] ?? hold.awsId;
  return `target group ${name} still in use by a listener or rule (${hold.code})`;
}
