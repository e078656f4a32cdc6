/**
 * applyPlan: runs the plan's steps one by one, in order. The plan already put
 * dependencies first and deletes last, and made every rule move land on a free priority,
 * so apply has no ordering logic: it resolves references, makes the calls, and stops at
 * the first failure. Whatever was done stays done and tagged; the next reconcile plans
 * again from what exists.
 *
 * One exception: a delete AWS refuses because something still uses the resource (a
 * security group its deleted ALB's interfaces still hold, a target group a rule still
 * forwards to) is a hold, not a failure (aws-holds.ts). Apply notes it and goes on: the
 * steps after it are other deletes, which do not need it gone (one that did would be held
 * too). The caller waits for AWS to let go and plans again.
 */
import { ConfigError } from '../errors/index.ts';
import type { ActualStack, Stack } from '../model/index.ts';
import { quotaFlags } from '../model/index.ts';
import { protectedDeletion, protectedDeletionMessage } from '../plan/index.ts';
import type { Plan, PlannedChange } from '../plan/index.ts';
import { applyAddon } from './apply-addons.ts';
import { stackAfterApply } from './applied-stack.ts';
import { applyListener } from './apply-listeners.ts';
import { applyLoadBalancer } from './apply-load-balancer.ts';
import { applyRule, applyRulePriority } from './apply-rules.ts';
import { applySecurityGroup } from './apply-security-groups.ts';
import { applyTargetGroup } from './apply-target-groups.ts';
import { heldId, holdOf } from './aws-holds.ts';
import type { AwsHold } from './aws-holds.ts';
import { applyBackendRule } from './backend-rules.ts';
import { AwsError, awsErrorCode, quotaCode, toAwsError } from '../aws/index.ts';
import { forgetBackendSecurityGroup } from './backend-security-group.ts';
import { stepError } from './context.ts';
import type { DeployContext } from './context.ts';
import { neededFor, quotaError, undoRuleCreates } from './quota-refusal.ts';
import { ApplyState } from './resolve.ts';
import { applyTargets } from './targets.ts';

/** The controller flag that tells the planner an account's quota, by refusal code. */
const flagOf: Partial<Record<string, string>> = {
  TooManyRules: quotaFlags.rulesPerLoadBalancer,
  TooManyUniqueTargetGroupsPerLoadBalancer: quotaFlags.targetGroupsPerLoadBalancer,
};

/** What the plan was made from: the desired stack, and what discovery found. */
export interface ApplyInput {
  readonly desired: Stack;
  readonly actual: ActualStack | null;
  /** Told of each step once it is done, also when a later one fails (Events, metrics). */
  readonly onApplied?: (step: PlannedChange) => void;
  /**
   * AWS ids (`sg-…`, target group ARNs) whose delete AWS held at the last reconcile: tried
   * once this time, without the in-call retries, since the requeue already waited.
   */
  readonly held?: ReadonlySet<string>;
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
  /** Deletes AWS refused because the resource is still in use: wait, then plan again. */
  readonly held: readonly AwsHold[];
}

/**
 * In-call retries of a delete AWS may hold: a short grace (0.2 + 0.4 + 0.8 s) for a blip,
 * such as a target group a moment after its last rule moved. A hold that outlasts it
 * (an ALB's interfaces take minutes) is waited for by requeue, not by a busy worker; a
 * delete already held at the last reconcile is tried once.
 */
const holdGraceRetries = 3;

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
  const state = new ApplyState(input.actual);
  const byChange: Record<string, number> = {};
  const skipped: string[] = [];
  const held: AwsHold[] = [];
  let applied = 0;
  /** Rules this apply created, in order: what a quota refusal undoes. */
  const createdRules: string[] = [];
  for (const step of plan) {
    let outcome: 'applied' | 'skipped';
    const awsId = heldId(step);
    const stepCtx =
      awsId === undefined
        ? ctx
        : { ...ctx, consistencyRetries: input.held?.has(awsId) === true ? 0 : holdGraceRetries };
    try {
      ctx.signal?.throwIfAborted();
      outcome = await applyStep(stepCtx, state, step);
    } catch (err) {
      const hold = holdOf(step, err);
      if (hold !== null) {
        held.push(hold);
        continue;
      }
      // A security group AWS no longer knows may be the shared backend group we remember:
      // forget it, so the retry finds or creates it again.
      const code = err instanceof AwsError ? err.code : awsErrorCode(err);
      if (code === 'InvalidGroup.NotFound' || code === 'InvalidSecurityGroup') {
        forgetBackendSecurityGroup(ctx);
      }
      const quota = quotaCode(err);
      if (quota !== undefined) {
        // Nothing half-applied: the listeners go back to how they routed (quota-refusal.ts).
        const undone = await undoRuleCreates(ctx, createdRules);
        throw quotaError(
          quota,
          toAwsError(step.kind, err),
          `${step.op} ${step.kind} ${step.id}`,
          neededFor(quota, input.desired, input.actual),
          undone,
          flagOf[quota],
        );
      }
      throw stepError(step, err);
    }
    if (step.kind === 'ListenerRule' && step.step === 'create') {
      const arn = state.rules.get(step.id);
      if (arn !== undefined && arn !== '') createdRules.push(arn);
    }
    if (outcome === 'skipped') {
      skipped.push(step.id);
      continue;
    }
    applied += 1;
    input.onApplied?.(step);
    const key = `${step.op} ${step.kind}`;
    byChange[key] = (byChange[key] ?? 0) + 1;
  }
  // A held delete leaves a resource the desired stack does not have: discover it again.
  const after = held.length > 0 ? null : stackAfterApply(input.desired, state, skipped);
  return { dnsName: state.dnsName, applied, byChange, skipped, after, held };
}
