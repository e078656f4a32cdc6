/**
 * Backend access at cluster level. The source of every backend rule is the cluster's one
 * shared backend security group, so a rule admitting it on a port is the same rule
 * whichever stack needs it: the rules belong to the cluster, not to a stack. Each
 * Stack's `backendRules` are that stack's NEEDS; the cluster-level reconcile unions the
 * needs of every stack into these rules (see pkg/plan/backend-access.ts).
 */

/** A rule on a node (instance mode) or pod (ip mode) security group, owned by the cluster. */
export interface ClusterBackendRule {
  /** `backend-rule/<sg>/<from>-<to>`: the `albatross.dev/resource` tag. */
  readonly id: string;
  /** `sg-…` the rule is on. */
  readonly securityGroupId: string;
  readonly fromPort: number;
  readonly toPort: number;
}

/** A cluster backend rule as discovered in AWS. */
export interface ActualClusterBackendRule extends ClusterBackendRule {
  /** `sgr-…`: what RevokeSecurityGroupIngress takes. */
  readonly securityGroupRuleId: string;
}
