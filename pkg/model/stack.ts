/**
 * The desired (or discovered) state of one IngressGroup's AWS resources: plain readonly
 * data that serialises to JSON for logs, golden tests and `albatross plan`.
 *
 * Resources refer to each other by stable stack id (`id`), never by ARN: ARNs exist only
 * after apply, and ids are what the ownership tag `albatross.dev/resource` carries, so a
 * discovered resource is matched to its desired twin by id. Changing how an id is made
 * replaces the resource in every cluster that runs Albatross: ids are external contract.
 *
 * A field left `undefined` in a desired resource means "don't care": the planner never
 * changes it. That is how we manage only the attributes a user listed.
 */
import type { LoadBalancerAddons } from './addons.ts';
import type { Action, RuleCondition, RuleTransform } from './elbv2-shapes.ts';

/** `namespace/name` of an Ingress, Service or other namespaced object. */
export type ObjectKey = string;

export type Scheme = 'internal' | 'internet-facing';
export type IpAddressType = 'ipv4' | 'dualstack' | 'dualstack-without-public-ipv4';
export type ListenerProtocol = 'HTTP' | 'HTTPS';
export type TargetType = 'instance' | 'ip';
export type BackendProtocol = 'HTTP' | 'HTTPS';
export type ProtocolVersion = 'HTTP1' | 'HTTP2' | 'GRPC';

export type Tags = Readonly<Record<string, string>>;
export type Attributes = Readonly<Record<string, string>>;

/**
 * Where the ALB's subnets come from. Offline (no AWS) a selection stays unresolved and
 * the plan shows it as such; the controller resolves it before building.
 */
export type SubnetSelection =
  | {
      readonly kind: 'resolved';
      readonly subnetIds: readonly string[];
      /**
       * Chosen by tag discovery, not listed: used only to create the ALB, since an existing
       * ALB keeps its subnets (the spec); the planner never moves it to this set.
       */
      readonly discovered?: true;
    }
  /** IDs (`subnet-…`) or Name tags, as the `subnets` annotation lists them. */
  | { readonly kind: 'listed'; readonly entries: readonly string[] }
  /** Tag-based discovery; see the spec's subnet discovery rules. */
  | { readonly kind: 'discover'; readonly role: 'elb' | 'internal-elb' }
  /** IngressClassParams `subnets.tags`: a subnet matches when each key has one of its values. */
  | { readonly kind: 'tagged'; readonly tags: Readonly<Record<string, readonly string[]>> };

/** A security group attached to the ALB. */
export type SecurityGroupRef =
  /** The managed frontend group of this stack, by stack id. */
  | { readonly kind: 'managed'; readonly id: string }
  /** The cluster's shared backend group (one per cluster, attached to every managed ALB). */
  | { readonly kind: 'shared-backend' }
  /** A user-given group: an ID (`sg-…`) or a Name tag, from `security-groups`. */
  | { readonly kind: 'listed'; readonly entry: string };

export interface LoadBalancer {
  /** Always `LoadBalancer`: one per stack. */
  readonly id: string;
  /** ≤ 32 characters; explicit (`load-balancer-name`) or generated. */
  readonly name: string;
  /** @default 'internal' — a change replaces the ALB (new DNS name). */
  readonly scheme: Scheme;
  /** @default 'ipv4' */
  readonly ipAddressType: IpAddressType;
  readonly subnets: SubnetSelection;
  readonly securityGroups: readonly SecurityGroupRef[];
  /** Only the keys listed are managed; others are left as AWS has them. */
  readonly attributes: Attributes;
  readonly tags: Tags;
  /**
   * Outposts customer-owned IPv4 pool (`customer-owned-ipv4-pool`); set only at create, so
   * a change replaces the ALB. Absent: the ALB has none.
   */
  readonly customerOwnedIpv4Pool?: string;
  /**
   * IPAM pool the ALB's IPv4 addresses come from (`ipam-ipv4-pool-id`); changed and
   * removed in place (ModifyIpPools). Absent: the ALB uses no pool.
   */
  readonly ipamIpv4PoolId?: string;
  /**
   * Reserved LCUs (`minimum-load-balancer-capacity` `CapacityUnits=N`); 0: no reservation
   * (one that exists is reset). Absent: "don't care" — a reservation made earlier (by us
   * or anyone) is left as it is.
   */
  readonly minimumCapacityUnits?: number;
}

export interface Certificate {
  readonly certificateArn: string;
}

/**
 * mTLS of an HTTPS listener. `trustStore` is an ARN or a trust store name (resolved at
 * apply time with DescribeTrustStores).
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_MutualAuthenticationAttributes.html
 */
export interface MutualAuthentication {
  readonly mode: 'off' | 'passthrough' | 'verify';
  readonly trustStore?: string;
  readonly ignoreClientCertificateExpiry?: boolean;
}

export interface Listener {
  /** `listener/<port>` */
  readonly id: string;
  readonly port: number;
  readonly protocol: ListenerProtocol;
  /** HTTPS only: the first is the default certificate, the rest are SNI. */
  readonly certificates: readonly Certificate[];
  /**
   * HTTPS without a given certificate: the hosts the certificates are discovered for in
   * ACM (see pkg/translate/certificate-discovery.ts). `resolved: false` when the
   * certificate list was not known (offline): `certificates` is then empty.
   */
  readonly certificateDiscovery?: {
    readonly hosts: readonly string[];
    readonly resolved: boolean;
  };
  /** HTTPS only. @default 'ELBSecurityPolicy-2016-08' */
  readonly sslPolicy?: string;
  readonly defaultActions: readonly Action[];
  /** HTTPS only; `undefined` = don't care (the annotation does not list this port). */
  readonly mutualAuthentication?: MutualAuthentication;
  /** Only the keys listed are managed (`listener-attributes.${Protocol}-${Port}`). */
  readonly attributes: Attributes;
  readonly tags: Tags;
}

export interface ListenerRule {
  /** Stable across reorders; carried by the resource tag. */
  readonly id: string;
  /** Stack id of the listener this rule belongs to. */
  readonly listenerId: string;
  /** 1..N per listener. */
  readonly priority: number;
  /** `namespace/name` of the Ingress this rule comes from (freezing acts per member). */
  readonly member: ObjectKey;
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly Action[];
  readonly transforms: readonly RuleTransform[];
  readonly tags: Tags;
}

export interface HealthCheck {
  /** @default 'traffic-port' */
  readonly port: string;
  readonly protocol: BackendProtocol;
  /** @default '/' (GRPC: '/AWS.ALB/healthcheck') */
  readonly path: string;
  /** @default 15 */
  readonly intervalSeconds: number;
  /** @default 5 */
  readonly timeoutSeconds: number;
  /** @default 2 */
  readonly healthyThresholdCount: number;
  /** @default 2 */
  readonly unhealthyThresholdCount: number;
  /** HttpCode (HTTP1/HTTP2) or GrpcCode (GRPC). @default '200' (GRPC '12') */
  readonly successCodes: string;
}

export interface Target {
  /** Instance ID (instance mode) or IP address (ip mode). */
  readonly id: string;
  readonly port: number;
}

export interface TargetGroup {
  /** Stable: derived from member, Service and port. */
  readonly id: string;
  /** ≤ 32 characters; hash over the fields that cannot change in place. */
  readonly name: string;
  readonly member: ObjectKey;
  /** The backend: `namespace/name:port` (port as written in the Ingress: number or name). */
  readonly service: string;
  readonly targetType: TargetType;
  readonly protocol: BackendProtocol;
  readonly protocolVersion: ProtocolVersion;
  /** NodePort (instance) or the endpoint port (ip); targets carry their own port. */
  readonly port: number;
  readonly ipAddressType: 'ipv4' | 'ipv6';
  readonly healthCheck: HealthCheck;
  readonly attributes: Attributes;
  readonly tags: Tags;
  /** `null` when unknown (no Nodes or EndpointSlices were given, e.g. offline). */
  readonly targets: readonly Target[] | null;
  /**
   * The target optimizer's agent port (`target-control-port.<svc>.<port>`); set only at
   * creation, so a change replaces the target group. Absent = none.
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
   */
  readonly targetControlPort?: number;
  /**
   * `multi-cluster-target-group`: other clusters register targets in this group too, so
   * only targets this cluster registered are ever deregistered. Absent = false.
   */
  readonly multiCluster?: true;
}

export interface SecurityGroupIngress {
  readonly protocol: 'tcp' | '-1';
  readonly fromPort: number;
  readonly toPort: number;
  /** Exactly one source. */
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  /** A stack id of a managed group, or `shared-backend`. */
  readonly sourceGroupRef?: string;
  readonly description?: string;
}

/** The managed frontend security group of one ALB. */
export interface SecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly ingress: readonly SecurityGroupIngress[];
  readonly tags: Tags;
}

/**
 * What one stack needs on a node (instance mode) or pod ENI (ip mode) security group so
 * the shared backend group reaches its targets. Not a resource of the stack: the rules
 * themselves are cluster-level (ClusterBackendRule), the union of every stack's needs.
 * The group is found from the targets' ENIs, or named here when the environment knew it.
 */
export interface BackendAccessRule {
  readonly id: string;
  readonly targetGroupId: string;
  /** `sg-…` when known, else `null` (resolved at apply time). */
  readonly securityGroupId: string | null;
  readonly fromPort: number;
  readonly toPort: number;
}

export interface Stack {
  /** The group id: `namespace/name` of an implicit group, or the `group.name`. */
  readonly id: string;
  /** Active members, in order, as `namespace/name`. */
  readonly members: readonly ObjectKey[];
  /** Members with an error problem: nothing of theirs is created, changed or deleted. */
  readonly frozenMembers: readonly ObjectKey[];
  /** `null` when the group has no active member left: everything of ours goes. */
  readonly loadBalancer: LoadBalancer | null;
  readonly listeners: readonly Listener[];
  readonly rules: readonly ListenerRule[];
  readonly targetGroups: readonly TargetGroup[];
  readonly securityGroups: readonly SecurityGroup[];
  /** This stack's backend access needs; the cluster-level reconcile turns them into rules. */
  readonly backendRules: readonly BackendAccessRule[];
  /** WAF and Shield wanted on the load balancer; absent when no member sets any. */
  readonly addons?: LoadBalancerAddons;
}
