/** Target registration by difference, in batches: the plan already computed the difference. */
import {
  DeregisterTargetsCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Target } from '../model/index.ts';
import type { TargetDiff, TargetsStep } from '../plan/index.ts';
import { callRetrying, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';
import type { ApplyState } from './resolve.ts';

/** Targets per RegisterTargets/DeregisterTargets call. */
export const TARGET_BATCH = 200;

function batches(targets: readonly Target[]): { Id: string; Port: number }[][] {
  const out: { Id: string; Port: number }[][] = [];
  for (let i = 0; i < targets.length; i += TARGET_BATCH) {
    out.push(targets.slice(i, i + TARGET_BATCH).map((t) => ({ Id: t.id, Port: t.port })));
  }
  return out;
}

/** The one writer of targets; returns the number of calls made. */
export async function registerThenDeregister(
  ctx: DeployContext,
  arn: string,
  diff: TargetDiff,
): Promise<number> {
  let calls = 0;
  // Register before deregistering: during a rolling replacement the group never empties.
  for (const batch of batches(diff.register)) {
    await callRetrying(ctx, 'RegisterTargets', () =>
      ctx.clients.elbv2.send(
        new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: batch }),
        sendOptions(ctx),
      ),
    );
    calls += 1;
  }
  for (const batch of batches(diff.deregister)) {
    await callRetrying(ctx, 'DeregisterTargets', () =>
      ctx.clients.elbv2.send(
        new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: batch }),
        sendOptions(ctx),
      ),
    );
    calls += 1;
  }
  return calls;
}

export async function applyTargets(
  ctx: DeployContext,
  state: ApplyState,
  step: TargetsStep,
): Promise<void> {
  const arn = step.targetGroupArn ?? state.targetGroup(step.id);
  await registerThenDeregister(ctx, arn, step);
}
