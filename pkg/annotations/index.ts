export type { AnnotationError, AnnotationMap, Parsed, Parser } from './parsed.ts';
export { ALB_PREFIX, albAnnotation, readAnnotation } from './parsed.ts';
export { parseBool, parseList, parseMap, intIn, oneOf, listOf } from './primitives.ts';
export { parseCidr } from './cidr.ts';
export type { IpFamily } from './cidr.ts';
export { parseJson } from './json.ts';
export type { JsonObject, JsonValue, JsonResult } from './json.ts';
export {
  parseScheme,
  parseIpAddressType,
  parseSubnets,
  parseSecurityGroups,
  parseInboundCidrs,
  parseLoadBalancerName,
  parseTags,
  parseAttributes,
  parseNodeLabels,
} from './load-balancer.ts';
export type { Cidr } from './load-balancer.ts';
export {
  parseListenPorts,
  parseCertificateArns,
  parseSslPolicy,
  parseSslRedirect,
} from './listeners.ts';
export type { ListenPort } from './listeners.ts';
export {
  parseTargetType,
  parseBackendProtocol,
  parseProtocolVersion,
  parseHealthCheckPort,
  parseHealthCheckPath,
  parseSuccessCodes,
  readTargetGroupAnnotations,
  readTargetGroupAnnotationsOf,
} from './target-group.ts';
export type { HealthCheckPort, TargetGroupAnnotations } from './target-group.ts';
export { parseAction } from './actions.ts';
export type { ParsedAction, ForwardTarget } from './actions.ts';
export { parseConditions } from './conditions.ts';
export { parseTransforms } from './transforms.ts';
export {
  parseCustomerOwnedIpv4Pool,
  parseIpamPoolId,
  parseMinimumCapacity,
  parsePrefixLists,
} from './addressing.ts';
export { parseRewriteTarget, REWRITE_TARGET_ANNOTATIONS } from './rewrite.ts';
export { readIngressAnnotations } from './ingress-annotations.ts';
export type { IngressAnnotations, RewriteTarget } from './ingress-annotations.ts';
export {
  overlayAnnotations,
  parseClassParams,
  selectorMatches,
  showSelector,
} from './class-params.ts';
export type {
  ClassParams,
  ClassParamsError,
  LabelSelector,
  LabelSelectorRequirement,
} from './class-params.ts';
export {
  AUTH_ANNOTATIONS,
  hasAuthAnnotations,
  parseCognitoIdp,
  parseJwtValidation,
  parseOidcIdp,
  readAuthAnnotations,
} from './auth.ts';
export type { AuthSpec, AuthType, CognitoIdp, OidcIdp, OnUnauthenticatedRequest } from './auth.ts';
export {
  LISTENER_ATTRIBUTES_PREFIX,
  listenerOfAttributesKey,
  parseMutualAuthentication,
} from './listener-settings.ts';
export type { PortMutualAuthentication } from './listener-settings.ts';
export { readTargetControlPort, targetControlPortAnnotation } from './target-control-port.ts';
export {
  parseWafAclId,
  parseWafv2AclArn,
  parseWafv2AclName,
  readAddonAnnotations,
} from './addons.ts';
export type { AddonAnnotations } from './addons.ts';
