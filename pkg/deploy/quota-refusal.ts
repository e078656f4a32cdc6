/**
 * AWS refused a write for a quota (TooManyRules, TooManyCertificates, …). The planner
 * plans within the quotas it is told (docs/decisions/0007), so this means the account's
 * effective quota is lower, or something else holds part of it. Two things follow:
 *
 * - nothing half-applied: the listener rules this apply created are deleted again, newest
 *   first, so the listeners route exactly as before the apply (the plan deletes last, so
 *   no old rule is gone yet; rule moves keep the old rules' relative order, and modified
 *   rules were already serving their new content). Target groups created stay: they route
 *   nothing and the next plan reuses or deletes them;
 * - one clear error: a QuotaError naming the quota, AWS's words, the count the group
 *   needs, AWS's default, and the fix. The reconciler reports it on the members and
 *   retries after a long delay, never in a tight loop (controller/handle-result.ts).
 *
 * See docs/decisions/0018-quota-refusals.md.
 */
import { DeleteRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { quotaRefusals } from '../aws/index.ts';
import type { AwsError, QuotaCode } from '../aws/index.ts';
import type { Action, ActualStack, Stack } from '../model/index.ts';
import { call, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';

/** How long a group refused for a quota waits before its next attempt. */
export const QUOTA_RETRY_MS = 10 * 60_000;

export class QuotaError extends Error {
  override readonly name = 'QuotaError';
  readonly retryable = false;
  readonly code: QuotaCode;
  /** Queue the group again after this long (handle-result reads it). */
  readonly retryAfterMs: number;

  constructor(code: QuotaCode, message: string, retryAfterMs: number, cause: unknown) {
    super(message, { cause });
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

function forwards(actions: readonly Action[], into: Set<string>): void {
  for (const action of actions) {
    for (const t of action.ForwardConfig?.TargetGroups ?? []) {
      into.add(t.TargetGroupId ?? t.TargetGroupArn ?? t.TargetGroupName ?? '');
    }
  }
}

/** What the group needs of the quota AWS refused, as the planner counts it. */
export function neededFor(
  code: QuotaCode,
  desired: Stack,
  actual: ActualStack | null,
): string | undefined {
  const frozen = new Set(desired.frozenMembers);
  const frozenRules = (actual?.rules ?? []).filter((r) => frozen.has(r.member));
  switch (code) {
    case 'TooManyRules':
      return `${String(desired.rules.length + frozenRules.length)} listener rules`;
    case 'TooManyUniqueTargetGroupsPerLoadBalancer': {
      const groups = new Set<string>();
      for (const l of desired.listeners) forwards(l.defaultActions, groups);
      for (const r of [...desired.rules, ...frozenRules]) forwards(r.actions, groups);
      return `${String(groups.size)} target groups forwarded to`;
    }
    case 'TooManyListeners':
      return `${String(desired.listeners.length)} listeners`;
    case 'TooManyCertificates': {
      const sni = new Set(
        desired.listeners.flatMap((l) => l.certificates.slice(1).map((c) => c.certificateArn)),
      );
      return `${String(sni.size)} certificates besides the default ones`;
    }
    case 'RulesPerSecurityGroupLimitExceeded': {
      const most = Math.max(0, ...desired.securityGroups.map((g) => g.ingress.length));
      return most > 0 ? `${String(most)} inbound rules on its frontend security group` : undefined;
    }
    case 'TooManyTargets': {
      const most = Math.max(0, ...desired.targetGroups.map((g) => g.targets?.length ?? 0));
      return `${String(most)} targets in one target group`;
    }
    default:
      return undefined;
  }
}

/** Deletes the rules this apply created, newest first; says what it did. */
export async function undoRuleCreates(
  ctx: DeployContext,
  created: readonly string[],
): Promise<string> {
  if (created.length === 0) return 'no listener rule had been created';
  let undone = 0;
  try {
    for (const arn of [...created].reverse()) {
      await call(ctx, 'DeleteRule', () =>
        unlessGone('RuleNotFound', () =>
          ctx.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: arn }), sendOptions(ctx)),
        ),
      );
      undone += 1;
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return `deleting the ${String(created.length)} listener rules this attempt had created failed after ${String(undone)} (${why}); the next attempt plans from what is left`;
  }
  return `the ${String(created.length)} listener rules this attempt had created were deleted again, so the listeners route as before`;
}

/** The QuotaError for `err` (an AwsError of a quota code) met at `where`. */
export function quotaError(
  code: QuotaCode,
  err: AwsError,
  where: string,
  needed: string | undefined,
  undone: string,
  flag: string | undefined,
): QuotaError {
  const { quota, default: byDefault } = quotaRefusals[code];
  const said = err.message.startsWith(`${err.operation}: ${err.code}: `)
    ? err.message.slice(`${err.operation}: ${err.code}: `.length)
    : err.message;
  const need = needed === undefined ? '' : ` (this group needs ${needed})`;
  const tell =
    flag === undefined
      ? ''
      : `; when the account's quota is not AWS's default, set ${flag} to it, so the plan freezes the Ingress that would pass it instead of meeting this refusal`;
  const minutes = String(Math.round(QUOTA_RETRY_MS / 60_000));
  return new QuotaError(
    code,
    `AWS refused ${err.operation} at ${where} for the quota "${quota}" (AWS's default ${String(byDefault)})${need}: ${code}: ${said}. ${undone}. Split the group (fewer Ingresses in its group.name, or fewer hosts and paths) or raise the quota in Service Quotas${tell}. Retrying in ${minutes} min.`,
    QUOTA_RETRY_MS,
    err,
  );
}
