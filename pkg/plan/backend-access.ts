/**
 * Cluster-level backend access (pure): every stack's needs → the rules wanted on each
 * node or pod security group, and the difference with the rules found in AWS.
 *
 * Instance targets are reached on a NodePort, and any NodePort may be the next Service's:
 * one rule per node group for the whole NodePort range replaces a rule per port, which is
 * what keeps a cluster with hundreds of Ingresses under a security group's rule quota
 * (60 inbound rules by default). A health-check port outside the range is added on its
 * own. IP targets are reached on the pods' own ports, merged into contiguous ranges.
 */
import type { ActualClusterBackendRule, ClusterBackendRule, Stack } from '../model/index.ts';
import { clusterBackendRuleId } from '../naming/index.ts';

/** The NodePort range of the cluster (kube-apiserver `--service-node-port-range`). */
export interface NodePortRange {
  readonly from: number;
  readonly to: number;
}

/** @default 30000-32767, Kubernetes' default */
export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { from: 30000, to: 32767 };

/** One port range a stack needs open on one security group. */
export interface BackendAccessNeed {
  readonly securityGroupId: string;
  readonly targetType: 'instance' | 'ip';
  readonly fromPort: number;
  readonly toPort: number;
}

/**
 * A stack's needs, with each rule's group resolved by `groupsOf` (target group id → the
 * `sg-…` of its targets; empty when not known yet, and then nothing is needed there yet).
 */
export function stackNeeds(
  stack: Stack,
  groupsOf: (targetGroupId: string) => readonly string[],
): BackendAccessNeed[] {
  const types = new Map(stack.targetGroups.map((tg) => [tg.id, tg.targetType]));
  const needs: BackendAccessNeed[] = [];
  for (const rule of stack.backendRules) {
    const targetType = types.get(rule.targetGroupId) ?? 'instance';
    const groups =
      rule.securityGroupId === null ? groupsOf(rule.targetGroupId) : [rule.securityGroupId];
    for (const securityGroupId of groups) {
      needs.push({ securityGroupId, targetType, fromPort: rule.fromPort, toPort: rule.toPort });
    }
  }
  return needs;
}

function widened(need: BackendAccessNeed, range: NodePortRange): [number, number] {
  const inside = need.fromPort >= range.from && need.toPort <= range.to;
  return need.targetType === 'instance' && inside
    ? [range.from, range.to]
    : [need.fromPort, need.toPort];
}

/**
 * The rules wanted: per security group, the union of the needs' port ranges (instance
 * ports inside the NodePort range widened to it), merged where they touch or overlap.
 * Sorted by group, then port.
 */
export function wantedBackendRules(
  needs: readonly BackendAccessNeed[],
  nodePortRange: NodePortRange = DEFAULT_NODE_PORT_RANGE,
): ClusterBackendRule[] {
  const byGroup = new Map<string, [number, number][]>();
  for (const need of needs) {
    const list = byGroup.get(need.securityGroupId) ?? [];
    list.push(widened(need, nodePortRange));
    byGroup.set(need.securityGroupId, list);
  }
  const out: ClusterBackendRule[] = [];
  for (const securityGroupId of [...byGroup.keys()].sort()) {
    const ranges = (byGroup.get(securityGroupId) ?? []).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged: [number, number][] = [];
    for (const [from, to] of ranges) {
      const last = merged[merged.length - 1];
      if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to);
      else merged.push([from, to]);
    }
    for (const [fromPort, toPort] of merged) {
      out.push({
        id: clusterBackendRuleId(securityGroupId, fromPort, toPort),
        securityGroupId,
        fromPort,
        toPort,
      });
    }
  }
  return out;
}

/** What to authorize and what to revoke. */
export interface BackendAccessPlan {
  readonly authorize: readonly ClusterBackendRule[];
  readonly revoke: readonly ActualClusterBackendRule[];
}

/**
 * Wanted × found. With `revoke: false` (some stack's needs are not known, e.g. right
 * after a start) nothing is revoked: a rule too many admits only our own backend group,
 * a rule too few cuts traffic. A found rule is matched by group and ports, not by id, so
 * a rule whose tag was edited by hand is still recognised.
 */
export function planBackendAccess(
  wanted: readonly ClusterBackendRule[],
  found: readonly ActualClusterBackendRule[],
  options: { readonly revoke: boolean },
): BackendAccessPlan {
  const key = (r: ClusterBackendRule): string =>
    `${r.securityGroupId}:${String(r.fromPort)}-${String(r.toPort)}`;
  const have = new Set(found.map(key));
  const want = new Set(wanted.map(key));
  return {
    authorize: wanted.filter((r) => !have.has(key(r))),
    revoke: options.revoke ? found.filter((r) => !want.has(key(r))) : [],
  };
}
