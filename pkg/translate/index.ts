export { buildStack } from './build-stack.ts';
export type { BuildResult } from './build-stack.ts';
export type {
  AcmCertificate,
  AddonSwitches,
  Env,
  OidcClient,
  Subnet,
  TranslateConfig,
} from './env.ts';
export { authSecretTags, oidcSecretsReferenced } from './auth.ts';
export { certificateCovers, MAX_LISTENER_CERTIFICATES } from './certificate-discovery.ts';
export { needsCertificates } from './needs-certificates.ts';
export { defaultTranslateConfig } from './env.ts';
export { translateHost, translatePath, rewriteTransform, escapeRegex } from './paths.ts';
export type { PathType, HostKind, PathMatch, HostMatch } from './paths.ts';
export { eligibleInstances, instanceIdOf } from './targets.ts';
export { selectSubnets } from './subnets.ts';
export { EXCLUSIVE_ANNOTATIONS, MERGED_ANNOTATIONS } from './group-rules.ts';
export {
  TARGET_GROUP_BINDING,
  bindingReadinessGates,
  bindingRuleKey,
  bindingRules,
  bindingServicePort,
  bindingTargets,
  parseBindingSpec,
  readinessGateName,
  selectorMatches,
  bindingPodRoutes,
  bindingRef,
  boundTargetGroupName,
  targetGroupHolder,
} from './target-group-binding.ts';
export type {
  BindingRule,
  BindingTargetType,
  TargetGroupBindingObject,
  TargetGroupBindingSpec,
} from './target-group-binding.ts';
export {
  GATED_POD_LABEL,
  GATED_POD_LABEL_VALUE,
  READINESS_GATE_INJECT_LABEL,
  READINESS_GATE_PREFIX,
  gateConditionType,
  gateVerdict,
  gatedAddresses,
  gatesForPod,
  ingressPodRoutes,
  isOurGate,
  podCondition,
  podGates,
  readinessGatePatch,
  routesToPod,
  selectorMatches as serviceSelectorMatches,
} from './readiness-gates.ts';
export type {
  GateVerdict,
  JsonPatchOperation,
  PodRoute,
  TargetGroupHealth,
  TargetGroupRef,
  TargetHealthEntry,
} from './readiness-gates.ts';
export { podsMissingGate, ungatedSuspects } from './ungated-pods.ts';
export type { UngatedSuspects } from './ungated-pods.ts';
