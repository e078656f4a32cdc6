/**
 * Deletion protection. AWS refuses DeleteLoadBalancer while the load balancer's
 * `deletion_protection.enabled` attribute is true, whoever set it (the
 * `load-balancer-attributes` annotation or a person in the console). A plan that deletes
 * such a load balancer — its group lost its last member, or a replacement (new scheme,
 * new name) deletes it first — would fail only at that step, after the rules, listeners
 * and target groups before it were gone: the ALB would be left standing and serving
 * nothing. So the plan is refused whole, before its first step, and everything keeps
 * serving until the attribute is switched off.
 *
 * The attribute is read from what discovery found (every attribute AWS reports), not
 * from the annotations: the members that set it may be the ones being deleted, and a
 * hand-set attribute is in no manifest. The reference controller checks only the
 * annotation of the member being deleted.
 */
import type { ActualLoadBalancer } from '../model/index.ts';
import type { Plan } from './plan-types.ts';

export const DELETION_PROTECTION_ATTRIBUTE = 'deletion_protection.enabled';

export interface ProtectedDeletion {
  readonly loadBalancer: ActualLoadBalancer;
  /** Why the plan deletes it: `the group has no active member`, `scheme changed …`. */
  readonly reason: string;
}

/** The protected load balancer `plan` would delete; `null` when it deletes none. */
export function protectedDeletion(plan: Plan): ProtectedDeletion | null {
  for (const step of plan) {
    if (step.kind !== 'LoadBalancer') continue;
    const deletes = step.op === 'delete' || (step.op === 'replace' && step.deleteFirst);
    if (!deletes) continue;
    const value = step.actual.attributes[DELETION_PROTECTION_ATTRIBUTE];
    if (value?.toLowerCase() === 'true') return { loadBalancer: step.actual, reason: step.reason };
  }
  return null;
}

/** The Warning a refused plan gives: names the attribute, the load balancer and the way out. */
export function protectedDeletionMessage(refused: ProtectedDeletion): string {
  const lb = refused.loadBalancer;
  return `load balancer ${lb.name} has ${DELETION_PROTECTION_ATTRIBUTE}=true, so it cannot be deleted (${refused.reason}); nothing was changed and it keeps serving: set ${DELETION_PROTECTION_ATTRIBUTE}=false on it (console, CLI, or the load-balancer-attributes annotation) and the deletion proceeds`;
}
