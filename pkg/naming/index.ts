export {
  TAG_AUTH_SECRET_DIGEST,
  TAG_CLUSTER,
  TAG_STACK,
  TAG_RESOURCE,
  TAG_INGRESS,
  OWNERSHIP_TAG_KEYS,
  resourceTags,
} from './tags.ts';
export type { Ownership, TagSet } from './tags.ts';
export { loadBalancerName, targetGroupName, securityGroupName, shortHash } from './names.ts';
export type { LoadBalancerIdentity, TargetGroupIdentity } from './names.ts';
export {
  LOAD_BALANCER_ID,
  FRONTEND_SECURITY_GROUP_ID,
  listenerId,
  targetGroupId,
  ruleId,
  backendRuleId,
  clusterBackendRuleId,
  CLUSTER_BACKEND_RULE_PREFIX,
} from './ids.ts';
export { BINDING_RULE_PREFIX, bindingRuleId } from './binding.ts';
