/**
 * Every annotation Albatross reads from one Ingress, typed, with the errors found. The
 * target-group ones are read here too so that a bad value on the Ingress is reported
 * once, whatever backends use it.
 */
import type { IpAddressType, RuleCondition, RuleTransform, Scheme } from '../model/index.ts';
import { parseAction } from './actions.ts';
import {
  parseCustomerOwnedIpv4Pool,
  parseIpamPoolId,
  parseMinimumCapacity,
  parsePrefixLists,
} from './addressing.ts';
import { readAuthAnnotations } from './auth.ts';
import type { AuthSpec } from './auth.ts';
import {
  LISTENER_ATTRIBUTES_PREFIX,
  listenerOfAttributesKey,
  parseMutualAuthentication,
} from './listener-settings.ts';
import type { PortMutualAuthentication } from './listener-settings.ts';
import type { ParsedAction } from './actions.ts';
import { readAddonAnnotations } from './addons.ts';
import type { AddonAnnotations } from './addons.ts';
import { parseConditions } from './conditions.ts';
import {
  parseCertificateArns,
  parseListenPorts,
  parseSslPolicy,
  parseSslRedirect,
} from './listeners.ts';
import type { ListenPort } from './listeners.ts';
import {
  parseAttributes,
  parseInboundCidrs,
  parseIpAddressType,
  parseLoadBalancerName,
  parseScheme,
  parseSecurityGroups,
  parseSubnets,
} from './load-balancer.ts';
import type { Cidr } from './load-balancer.ts';
import { albAnnotation, ALB_PREFIX, readAnnotation } from './parsed.ts';
import type { AnnotationError, AnnotationMap, Parser } from './parsed.ts';
import { parseRewriteTarget, REWRITE_TARGET_ANNOTATIONS } from './rewrite.ts';
import { parseBool } from './primitives.ts';
import { readTargetGroupAnnotationsOf } from './target-group.ts';
import type { TargetGroupAnnotations } from './target-group.ts';
import { parseTransforms } from './transforms.ts';
import { readUnsupportedAnnotations } from './unsupported.ts';

export interface RewriteTarget {
  /** The annotation it came from. */
  readonly field: string;
  readonly target: string;
}

export interface IngressAnnotations {
  readonly scheme: Scheme | undefined;
  readonly ipAddressType: IpAddressType | undefined;
  readonly subnets: readonly string[] | undefined;
  readonly securityGroups: readonly string[] | undefined;
  readonly inboundCidrs: readonly Cidr[] | undefined;
  readonly loadBalancerName: string | undefined;
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly loadBalancerAttributes: Readonly<Record<string, string>> | undefined;
  readonly listenPorts: readonly ListenPort[] | undefined;
  readonly certificateArns: readonly string[] | undefined;
  readonly sslPolicy: string | undefined;
  readonly sslRedirect: number | undefined;
  /** `actions.${name}` by name; an action that failed to parse is absent (and an error). */
  readonly actions: ReadonlyMap<string, ParsedAction>;
  /** `conditions.${name}` by name. */
  readonly conditions: ReadonlyMap<string, readonly RuleCondition[]>;
  readonly rewriteTarget: RewriteTarget | undefined;
  /** `transforms.${name}` by name. */
  readonly transforms: ReadonlyMap<string, readonly RuleTransform[]>;
  /** `use-regex-path-match`: ImplementationSpecific paths are ALB regexes. */
  readonly useRegexPathMatch: boolean | undefined;
  readonly prefixLists: readonly string[] | undefined;
  readonly manageBackendSecurityGroupRules: boolean | undefined;
  readonly customerOwnedIpv4Pool: string | undefined;
  readonly ipamIpv4PoolId: string | undefined;
  /** `minimum-load-balancer-capacity` `CapacityUnits=N`. */
  readonly minimumCapacityUnits: number | undefined;
  /** The target-group settings given on the Ingress (a Service may override them). */
  readonly targetGroup: TargetGroupAnnotations;
  /** The Ingress's own authentication (a backend's Service may override it). */
  readonly auth: AuthSpec | undefined;
  readonly mutualAuthentication: readonly PortMutualAuthentication[] | undefined;
  /** `listener-attributes.${Protocol}-${Port}` by `${Protocol}-${Port}`. */
  readonly listenerAttributes: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** WAF and Shield (pkg/annotations/addons.ts). */
  readonly addons: AddonAnnotations;
}

export function readIngressAnnotations(annotations: AnnotationMap | undefined): {
  readonly value: IngressAnnotations;
  readonly errors: readonly AnnotationError[];
} {
  const errors: AnnotationError[] = [];
  const read = <T>(short: string, parse: Parser<T>): T | undefined =>
    readAnnotation(annotations, albAnnotation(short), parse, errors);

  const actions = new Map<string, ParsedAction>();
  const conditions = new Map<string, readonly RuleCondition[]>();
  const transforms = new Map<string, readonly RuleTransform[]>();
  const listenerAttributes = new Map<string, Readonly<Record<string, string>>>();
  for (const key of Object.keys(annotations ?? {}).sort()) {
    if (!key.startsWith(ALB_PREFIX)) continue;
    const short = key.slice(ALB_PREFIX.length);
    if (short.startsWith('actions.')) {
      const a = readAnnotation(annotations, key, parseAction, errors);
      if (a !== undefined) actions.set(short.slice('actions.'.length), a);
    } else if (short.startsWith('conditions.')) {
      const c = readAnnotation(annotations, key, parseConditions, errors);
      if (c !== undefined) conditions.set(short.slice('conditions.'.length), c);
    } else if (short.startsWith('transforms.')) {
      const t = readAnnotation(annotations, key, parseTransforms, errors);
      if (t !== undefined) transforms.set(short.slice('transforms.'.length), t);
    } else if (short.startsWith(LISTENER_ATTRIBUTES_PREFIX)) {
      const suffix = short.slice(LISTENER_ATTRIBUTES_PREFIX.length);
      if (listenerOfAttributesKey(suffix) === undefined) {
        errors.push({
          field: key,
          value: annotations?.[key] ?? '',
          message: `the annotation name must end in HTTP-<port> or HTTPS-<port> (port 1..65535), e.g. ${LISTENER_ATTRIBUTES_PREFIX}HTTPS-443`,
        });
        continue;
      }
      const a = readAnnotation(annotations, key, parseAttributes, errors);
      if (a !== undefined) listenerAttributes.set(suffix, a);
    }
  }

  let rewriteTarget: RewriteTarget | undefined;
  for (const field of REWRITE_TARGET_ANNOTATIONS) {
    const t = readAnnotation(annotations, field, parseRewriteTarget, errors);
    if (t !== undefined && rewriteTarget === undefined) rewriteTarget = { field, target: t };
  }

  const targetGroup = readTargetGroupAnnotationsOf(annotations, errors);
  const auth = readAuthAnnotations(annotations);
  errors.push(...auth.errors);
  readUnsupportedAnnotations(annotations, errors);
  return {
    value: {
      scheme: read('scheme', parseScheme),
      ipAddressType: read('ip-address-type', parseIpAddressType),
      subnets: read('subnets', parseSubnets),
      securityGroups: read('security-groups', parseSecurityGroups),
      inboundCidrs: read('inbound-cidrs', parseInboundCidrs),
      loadBalancerName: read('load-balancer-name', parseLoadBalancerName),
      // `tags` is read once, with the target-group settings; both places use the same value.
      tags: targetGroup.tags,
      loadBalancerAttributes: read('load-balancer-attributes', parseAttributes),
      listenPorts: read('listen-ports', parseListenPorts),
      certificateArns: read('certificate-arn', parseCertificateArns),
      sslPolicy: read('ssl-policy', parseSslPolicy),
      sslRedirect: read('ssl-redirect', parseSslRedirect),
      actions,
      conditions,
      rewriteTarget,
      transforms,
      useRegexPathMatch: read('use-regex-path-match', parseBool),
      prefixLists: read('security-group-prefix-lists', parsePrefixLists),
      manageBackendSecurityGroupRules: read('manage-backend-security-group-rules', parseBool),
      customerOwnedIpv4Pool: read('customer-owned-ipv4-pool', parseCustomerOwnedIpv4Pool),
      ipamIpv4PoolId: read('ipam-ipv4-pool-id', parseIpamPoolId),
      minimumCapacityUnits: read('minimum-load-balancer-capacity', parseMinimumCapacity),
      targetGroup,
      auth: auth.value,
      mutualAuthentication: read('mutual-authentication', parseMutualAuthentication),
      listenerAttributes,
      addons: readAddonAnnotations(annotations, errors),
    },
    errors,
  };
}
