/**
 * Keeping one target group's targets equal to a desired set, for the paths that know the
 * target group's ARN and nothing else of a stack: the Ingress targets-only reconcile and
 * TargetGroupBinding. Read what is registered, diff with the planner's rule
 * (`targetDiff`), apply in batches with the same code a plan's Targets step runs.
 */
import type { Target } from '../model/index.ts';
import { targetDiff } from '../plan/index.ts';
import type { TargetDiff } from '../plan/index.ts';
import type { DeployContext } from './context.ts';
import { registeredTargets } from './registered-targets.ts';
import { registerThenDeregister } from './targets.ts';

export interface TargetSyncPlan extends TargetDiff {
  /** What was registered when read (draining excluded). */
  readonly current: readonly Target[];
}

/** Reads the registered targets and diffs them with `desired` (see `targetDiff`). */
export async function planTargetSync(
  ctx: DeployContext,
  targetGroupArn: string,
  desired: readonly Target[],
  owned?: ReadonlySet<string>,
): Promise<TargetSyncPlan> {
  const current = await registeredTargets(ctx.clients, targetGroupArn, ctx.signal);
  return { current, ...targetDiff(desired, current, owned) };
}

/** Applies a diff; returns the number of AWS writes made. */
export async function applyTargetSync(
  ctx: DeployContext,
  targetGroupArn: string,
  diff: TargetDiff,
): Promise<number> {
  return registerThenDeregister(ctx, targetGroupArn, diff);
}
