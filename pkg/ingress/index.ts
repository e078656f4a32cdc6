/** Class selection, IngressGroups and their finalizers, and the beta Ingress conversion. */
export type { GroupKey, GroupMember, IngressGroup } from './group.ts';
export type { ClassConfig, ClassVerdict } from './class-selection.ts';
export {
  DEFAULT_CLASS_ANNOTATION,
  LEGACY_CLASS_ANNOTATION,
  classVerdictOf,
  defaultIngressClass,
  ingressClassOf,
  isOurIngress,
} from './class-selection.ts';
export type { Parsed } from './group-annotations.ts';
export {
  GROUP_NAME_ANNOTATION,
  GROUP_ORDER_ANNOTATION,
  parseGroupName,
  parseGroupOrder,
} from './group-annotations.ts';
export {
  EXPLICIT_GROUP_FINALIZER_PREFIX,
  IMPLICIT_GROUP_FINALIZER,
  finalizerFor,
  finalizerGroupKeys,
  groupIdOf,
  groupKeyOfFinalizer,
  ingressKeyOf,
  namespaceOf,
  sameGroupKey,
} from './finalizers.ts';
export type { GroupContribution, Membership } from './grouping.ts';
export {
  assembleGroup,
  contributionsOf,
  groupIngresses,
  groupKeyOf,
  groupKeysTouchedBy,
  membershipOf,
} from './grouping.ts';
export { GroupIndex } from './group-index.ts';
export type { ConvertedIngress } from './legacy.ts';
export { LEGACY_INGRESS_API_VERSIONS, convertLegacyIngress, isLegacyIngress } from './legacy.ts';
export type { ClassParamsInput, MemberParams, ParamsResolution } from './class-params.ts';
export { PARAMS_API_GROUP, PARAMS_KIND, paramsNameOf, resolveClassParams } from './class-params.ts';
