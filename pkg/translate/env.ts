/**
 * Everything buildStack reads from the world, gathered first (read-only) by the caller:
 * the controller resolves it from its caches and AWS; `albatross plan` from files.
 * A field left `undefined` is unknown, and the stack says so instead of guessing.
 */
import type { V1EndpointSlice, V1IngressClass, V1Node, V1Service } from '@kubernetes/client-node';
import type { LoadBalancerQuotas } from '../model/index.ts';

export interface Subnet {
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly vpcId: string;
  readonly availableIpAddressCount: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What a Secret named by `auth-idp-oidc` holds, as far as translation may know it: the
 * client id (AWS returns it anyway) and a digest of the client secret. The secret value
 * never enters the pure core; apply reads it from the Secret itself.
 */
export interface OidcClient {
  /** `clientID` (or the legacy `clientId`), trailing whitespace trimmed; `undefined` = missing. */
  readonly clientId?: string;
  /** See ClientSecretRef.Digest; `undefined` = key `clientSecret` missing. */
  readonly clientSecretDigest?: string;
}

/** An ACM certificate as certificate discovery reads it. */
export interface AcmCertificate {
  readonly arn: string;
  /** DomainName and every SubjectAlternativeName, as ACM reports them. */
  readonly domains: readonly string[];
  /** `ISSUED`, `EXPIRED`, …: only ISSUED certificates are attached. */
  readonly status: string;
  /** The private CA (AWS Private CA) that issued it; absent for Amazon-issued and imported ones. */
  readonly certificateAuthorityArn?: string;
}

export interface Env {
  /** Services by `namespace/name`. */
  readonly services: ReadonlyMap<string, V1Service>;
  /** EndpointSlices by the `namespace/name` of their Service; `undefined` = unknown. */
  readonly endpointSlices: ReadonlyMap<string, readonly V1EndpointSlice[]> | undefined;
  /** All Nodes; `undefined` = unknown. */
  readonly nodes: readonly V1Node[] | undefined;
  /** IngressClasses by name (for `spec.ingressClassName` and the default class). */
  readonly ingressClasses: ReadonlyMap<string, V1IngressClass>;
  /** The VPC's subnets; `undefined` = unknown (offline): subnet selections stay unresolved. */
  readonly subnets: readonly Subnet[] | undefined;
  /** The cluster's shared backend security group, once it exists. */
  readonly backendSecurityGroupId?: string;
  /**
   * OIDC clients by Secret `namespace/name`; a Secret absent from the map does not exist.
   * `undefined` = unknown (offline): the plan shows where the values will come from.
   */
  readonly oidcClients?: ReadonlyMap<string, OidcClient>;
  /** Security groups of the node ENIs, by instance ID, when known. */
  readonly nodeSecurityGroups?: ReadonlyMap<string, string>;
  /**
   * The region's ACM certificates for certificate discovery; `undefined` = unknown
   * (offline, or no listener needed discovery): listeners show the hosts to discover for.
   */
  readonly certificates?: readonly AcmCertificate[];
  /**
   * Readiness gates: by gate condition type, the IPs of pods that carry it with their
   * containers ready, registered although their endpoint is not ready (yet).
   * @default none
   */
  readonly gatedAddresses?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Which add-on kinds the controller manages (`--enable-wafv2`, `--enable-waf`, `--enable-shield`). */
export interface AddonSwitches {
  readonly wafv2: boolean;
  readonly waf: boolean;
  readonly shield: boolean;
}

/** Settings that come from flags; fixed for the life of a process. */
export interface TranslateConfig {
  readonly clusterName: string;
  /** @default 'albatross.dev/alb' */
  readonly controllerName: string;
  /** @default 'alb' */
  readonly ingressClass: string;
  /** @default 'internal' */
  readonly defaultScheme: 'internal' | 'internet-facing';
  /** @default 'instance' */
  readonly defaultTargetType: 'instance' | 'ip';
  /** Added to every resource; never overrides the ownership tags. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** @default 'ELBSecurityPolicy-2016-08' */
  readonly defaultSslPolicy: string;
  /**
   * `--external-managed-tags`: tag keys someone else manages on our resources. Never
   * added, changed or removed by us; an annotation naming one is a problem.
   * @default []
   */
  readonly externalManagedTags?: readonly string[];
  /**
   * `specification`: rules ordered by the Ingress specification's precedence.
   * `reference`: aws-load-balancer-controller's manifest order.
   * @default 'specification'
   */
  readonly ruleOrder: 'specification' | 'reference';
  /**
   * Certificate discovery attaches only certificates issued by these private CAs
   * (`--allowed-certificate-authority-arns`); empty or absent: any issuer.
   */
  readonly allowedCertificateAuthorityArns?: readonly string[];
  /** Add-on kinds left alone entirely when off. @default all on */
  readonly addons?: AddonSwitches;
  /**
   * The account's load balancer quotas (`--quota-*` flags): a member that would pass one
   * is frozen with a problem naming it. @default AlbQuotas (AWS's defaults)
   */
  readonly quotas?: LoadBalancerQuotas;
}

export const defaultTranslateConfig = {
  controllerName: 'albatross.dev/alb',
  ingressClass: 'alb',
  defaultScheme: 'internal',
  defaultTargetType: 'instance',
  defaultTags: {},
  defaultSslPolicy: 'ELBSecurityPolicy-2016-08',
  ruleOrder: 'specification',
} as const satisfies Omit<TranslateConfig, 'clusterName'>;
