export { planChanges } from './plan-changes.ts';
export { renderChange, renderChanges, changeSummary } from './render.ts';
export { schedulePriorities, maxRulePriority } from './priority-steps.ts';
export type { PriorityGoal, PriorityStep } from './priority-steps.ts';
export { covers } from './equality.ts';
export { sameRuleContent } from './plan-rules.ts';
export type * from './plan-types.ts';
export {
  stackNeeds,
  wantedBackendRules,
  planBackendAccess,
  DEFAULT_NODE_PORT_RANGE,
} from './backend-access.ts';
export type { BackendAccessNeed, BackendAccessPlan, NodePortRange } from './backend-access.ts';
export { targetDiff, targetKey } from './target-diff.ts';
export type { TargetDiff } from './target-diff.ts';
export { planAddons, webAclNameOfArn } from './plan-addons.ts';
export { certificateBatches } from './quota-order.ts';
export type { CertificateBatch } from './quota-order.ts';
export {
  DELETION_PROTECTION_ATTRIBUTE,
  protectedDeletion,
  protectedDeletionMessage,
} from './deletion-protection.ts';
export type { ProtectedDeletion } from './deletion-protection.ts';
