/**
 * What discovery finds in AWS for one stack, by the ownership tags
 * (`albatross.dev/cluster`, `albatross.dev/stack`, `albatross.dev/resource`): the same
 * shapes as the desired Stack, so the planner compares like with like, plus the cloud
 * identifiers apply needs to act on what exists.
 *
 * Discovery maps cloud identifiers back to stack ids wherever the resource is ours: a
 * rule's listener by `listenerId`, a forward's target group by `TargetGroupId`, a
 * security group source by its stack id (or `shared-backend`). Anything not ours keeps
 * its cloud identifier (`TargetGroupArn`, `sg-…`), so it never matches a stack id.
 *
 * Fields are as AWS reports them: all attributes and all tags, not only the ones we set.
 * The planner decides which of them it cares about.
 */
import type { ActualAddons } from './addons.ts';
import type {
  BackendAccessRule,
  Listener,
  ListenerRule,
  LoadBalancer,
  SecurityGroup,
  Target,
  TargetGroup,
} from './stack.ts';

export interface ActualLoadBalancer extends LoadBalancer {
  readonly arn: string;
  readonly dnsName: string;
}

export interface ActualListener extends Listener {
  readonly arn: string;
}

/**
 * A discovered rule. `member` comes from the `albatross.dev/ingress` tag and `priority`
 * is the one AWS has now; forwards to our target groups name them by `TargetGroupId`.
 */
export interface ActualListenerRule extends ListenerRule {
  readonly arn: string;
}

/** A discovered target group; `member` comes from the `albatross.dev/ingress` tag. */
export interface ActualTargetGroup extends TargetGroup {
  readonly arn: string;
  /** The targets registered now (any health state, draining excluded). */
  readonly targets: readonly Target[];
}

/**
 * A discovered managed security group. In `ingress`, `sourceGroupRef` is the stack id of
 * a managed group, `shared-backend`, or the `sg-…` of a group that is not ours.
 */
export interface ActualSecurityGroup extends SecurityGroup {
  /** `sg-…` */
  readonly groupId: string;
}

/** A discovered backend rule on a node or pod security group. */
export interface ActualBackendAccessRule extends BackendAccessRule {
  /** The group the rule is on: always known once it exists. */
  readonly securityGroupId: string;
  /** `sgr-…`: what RevokeSecurityGroupIngress takes. */
  readonly securityGroupRuleId: string;
}

export interface ActualStack {
  /** The group id from the `albatross.dev/stack` tag. */
  readonly id: string;
  /** `null` when no load balancer of this stack exists. */
  readonly loadBalancer: ActualLoadBalancer | null;
  readonly listeners: readonly ActualListener[];
  readonly rules: readonly ActualListenerRule[];
  readonly targetGroups: readonly ActualTargetGroup[];
  readonly securityGroups: readonly ActualSecurityGroup[];
  readonly backendRules: readonly ActualBackendAccessRule[];
  /** The load balancer's add-ons, as far as they were read (see addons.ts). */
  readonly addons?: ActualAddons;
  /**
   * Resources of ours found twice (or more) for one stack resource, the extras only: the
   * fields above hold the one kept, so the planner plans as if each existed once and plans
   * the extras' removal (see duplicates.ts in pkg/deploy for which one is kept). Absent
   * or empty when every stack resource exists once.
   */
  readonly duplicates?: readonly ActualDuplicate[];
}

/**
 * A resource of ours that duplicates one kept: same `albatross.dev/stack` and
 * `albatross.dev/resource` tags (and, for a listener, the same port of our load
 * balancer). Only resources carrying our cluster and stack tags are ever duplicates.
 */
export type ActualDuplicate =
  | DuplicateOf<'LoadBalancer', ActualLoadBalancer>
  | (DuplicateOf<'Listener', ActualListener> & {
      /** Our rules on the extra listener: they go with it (DeleteListener deletes them). */
      readonly rules: readonly ActualListenerRule[];
    })
  | DuplicateOf<'ListenerRule', ActualListenerRule>
  | DuplicateOf<'TargetGroup', ActualTargetGroup>
  | DuplicateOf<'SecurityGroup', ActualSecurityGroup>;

export type DuplicateKind = ActualDuplicate['kind'];

interface DuplicateOf<K extends string, A> {
  readonly kind: K;
  /** The extra. */
  readonly actual: A;
  /** ARN (`sg-…` for a security group) of the one kept. */
  readonly keptArn: string;
  /** Why that one is kept, for the plan's reason: `the Ingress status points at it`. */
  readonly keptBecause: string;
}
