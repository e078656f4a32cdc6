export { applyPlan } from './apply.ts';
export type { ApplyInput, ApplyResult } from './apply.ts';
export { holdMessage } from './aws-holds.ts';
export type { AwsHold } from './aws-holds.ts';
export {
  backendSecurityGroupName,
  ensureBackendSecurityGroup,
  findBackendSecurityGroup,
  forgetBackendSecurityGroup,
  SHARED_BACKEND_ID,
} from './backend-security-group.ts';
export { DeployError } from './context.ts';
export { QUOTA_RETRY_MS, QuotaError } from './quota-refusal.ts';
export type { DeployContext } from './context.ts';
export { discoverStack, listStacks } from './discover.ts';
export { TARGET_BATCH } from './targets.ts';
export { DiscoveryCache, namesOf, stackFingerprint } from './discovery-cache.ts';
export type { DiscoveryHints } from './stack-resources.ts';
export type { Discovery, DiscoveryCacheOptions, DiscoveryKind } from './discovery-cache.ts';
export { verifyStack } from './verify-stack.ts';
export type { Drift } from './verify-stack.ts';
export {
  discoverClusterBackendRules,
  hasNewTargetGroups,
  reconcileBackendAccess,
  resolveNeeds,
  TargetGroupsOfTargets,
  unadmittedTargets,
} from './backend-access.ts';
export type {
  BackendAccessInput,
  BackendAccessResult,
  UnadmittedTarget,
} from './backend-access.ts';
export type { SecretSource } from './auth-secrets.ts';
export { registeredTargets } from './registered-targets.ts';
export { applyTargetSync, planTargetSync } from './target-sync.ts';
export type { TargetSyncPlan } from './target-sync.ts';
export { discoverBindingRules, syncBindingRules } from './binding-networking.ts';
export type { ActualBindingRule, BindingRulesResult } from './binding-networking.ts';
export { readAddons, withAddons } from './discover-addons.ts';
export { listAcmCertificates } from './acm-certificates.ts';
