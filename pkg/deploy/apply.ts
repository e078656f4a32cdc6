/**
 * applyPlan: runs the plan's steps one by one, in order. The plan already put
 * dependencies first and deletes last, and made every rule move land on a free priority,
 * so apply has no ordering logic: it resolves references, makes the calls, and stops at
 * the first failure. Whatever was done stays done and tagged; the next reconcile plans
 * again from what exists.
 */
import { ConfigError } from '../errors/index.ts';
import type { ActualStack, Stack } from '../model/index.ts';
import { protectedDeletion, protectedDeletionMessage } from '../plan/index.ts';
import type { Plan, PlannedChange } from '../plan/index.ts';
import { applyAddon } from './apply-addons.ts';
import { stackAfterApply } from './applied-stack.ts';
import { applyListener } from './apply-listeners.ts';
import { applyLoadBalancer } from './apply-load-balancer.ts';
import { applyRule, applyRulePriority } from './apply-rules.ts';
import { applySecurityGroup } from './apply-security-groups.ts';
import { applyTargetGroup } from './apply-target-groups.ts';
import { applyBackendRule } from './backend-rules.ts';
import { AwsError, awsErrorCode } from '../aws/index.ts';
import { forgetBackendSecurityGroup } from './backend-security-group.ts';
import { stepError } from './context.ts';
import type { DeployContext } from './context.ts';
import { ApplyState } from './resolve.ts';
import { applyTargets } from './targets.ts';

/** What the plan was made from: the desired stack, and what discovery found. */
export interface ApplyInput {
  readonly desired: Stack;
  readonly actual: ActualStack | null;
}

export interface ApplyResult {
  /** The ALB's DNS name, lower-cased; `null` when the stack has no load balancer. */
  readonly dnsName: string | null;
  /** Steps performed. */
  readonly applied: number;
  /** Steps performed, by `<op> <kind>` (`create ListenerRule`, `update Targets`). */
  readonly byChange: Readonly<Record<string, number>>;
  /**
   * Backend rules not created because their security group cannot be known yet (the
   * target group has no targets): the next reconcile plans them again.
   */
  readonly skipped: readonly string[];
  /**
   * AWS as this apply left it, when that is known for sure (see applied-stack.ts): what
   * a discovery would find now, without its reads. `null` when in doubt.
   */
  readonly after: ActualStack | null;
}

async function applyStep(
  ctx: DeployContext,
  state: ApplyState,
  step: PlannedChange,
): Promise<'applied' | 'skipped'> {
  switch (step.kind) {
    case 'SecurityGroup':
      await applySecurityGroup(ctx, state, step);
      return 'applied';
    case 'LoadBalancer':
      await applyLoadBalancer(ctx, state, step);
      // A new load balancer has no add-on; the old one's went with it.
      if (step.op === 'replace' || step.op === 'create') {
        state.addons = { wafv2: null, wafRegional: null, shieldProtectionId: null };
      }
      return 'applied';
    case 'TargetGroup':
      await applyTargetGroup(ctx, state, step);
      return 'applied';
    case 'Listener':
      await applyListener(ctx, state, step);
      return 'applied';
    case 'ListenerRule':
      if (step.step === 'set-priority') await applyRulePriority(ctx, state, step);
      else await applyRule(ctx, state, step);
      return 'applied';
    case 'Targets':
      await applyTargets(ctx, state, step);
      return 'applied';
    case 'BackendAccessRule':
      await applyBackendRule(ctx, step);
      return 'applied';
    case 'WebAclAssociation':
    case 'WafRegionalAssociation':
    case 'ShieldProtection':
      await applyAddon(ctx, state, step);
      return 'applied';
  }
}

/**
 * Runs `plan` (made by planChanges(input.desired, input.actual)). Throws the first
 * failure: an AwsError (or DeployError) whose message names the step. A plan that would
 * delete a load balancer protected from deletion is refused before its first step with a
 * ConfigError (retried with back-off: the attribute is switched off outside the cluster).
 */
export async function applyPlan(
  ctx: DeployContext,
  plan: Plan,
  input: ApplyInput,
): Promise<ApplyResult> {
  const refused = protectedDeletion(plan);
  if (refused !== null) throw new ConfigError(protectedDeletionMessage(refused));
  const state = new ApplyState(input.actual, input.desired);
  const byChange: Record<string, number> = {};
  const skipped: string[] = [];
  let applied = 0;
  for (const step of plan) {
    let outcome: 'applied' | 'skipped';
    try {
      ctx.signal?.throwIfAborted();
      outcome = await applyStep(ctx, state, step);
    } catch (err) {
      // A security group AWS no longer knows may be the shared backend group we remember:
      // forget it, so the retry finds or creates it again.
      const code = err instanceof AwsError ? err.code : awsErrorCode(err);
      if (code === 'InvalidGroup.NotFound' || code === 'InvalidSecurityGroup') {
        forgetBackendSecurityGroup(ctx);
      }
      throw stepError(step, err);
    }
    if (outcome === 'skipped') {
      skipped.push(step.id);
      continue;
    }
    applied += 1;
    const key = `${step.op} ${step.kind}`;
    byChange[key] = (byChange[key] ?? 0) + 1;
  }
  const after = stackAfterApply(input.desired, state, skipped);
  return { dnsName: state.dnsName, applied, byChange, skipped, after };
}
