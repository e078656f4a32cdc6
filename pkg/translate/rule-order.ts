/**
 * Rule order within a listener: ALB evaluates rules by ascending priority and the first
 * match wins, so the order decides routing.
 *
 * `specification` (default): `group.order` first where members differ, then the most
 * specific host (exact, wildcard, none), then the longest path, Exact before Prefix before
 * ImplementationSpecific at equal length; ties stay in member order, then manifest order.
 * This is the Ingress specification's precedence, so a catch-all earlier in the group
 * never shadows a more specific rule.
 *
 * `reference`: aws-load-balancer-controller's order, for users who rely on it: members by
 * `group.order` then `namespace/name`; within an Ingress, manifest order; within one
 * `http.paths` list, Exact, then Prefix by descending length, then ImplementationSpecific
 * in manifest order.
 */
import type { RuleDraft } from './drafts.ts';
import type { HostKind, PathType } from './paths.ts';

const HOST_RANK: Readonly<Record<HostKind, number>> = { exact: 0, wildcard: 1, none: 2 };
const TYPE_RANK: Readonly<Record<PathType, number>> = {
  Exact: 0,
  Prefix: 1,
  ImplementationSpecific: 2,
};

function bySpecification(a: RuleDraft, b: RuleDraft): number {
  return (
    a.memberOrder - b.memberOrder ||
    HOST_RANK[a.hostKind] - HOST_RANK[b.hostKind] ||
    b.pathLength - a.pathLength ||
    TYPE_RANK[a.pathType] - TYPE_RANK[b.pathType] ||
    a.memberIndex - b.memberIndex ||
    a.ruleIndex - b.ruleIndex ||
    a.pathIndex - b.pathIndex
  );
}

function byReference(a: RuleDraft, b: RuleDraft): number {
  const typed = (r: RuleDraft): number => (r.pathType === 'Prefix' ? -r.pathLength : 0);
  return (
    a.memberIndex - b.memberIndex ||
    a.ruleIndex - b.ruleIndex ||
    TYPE_RANK[a.pathType] - TYPE_RANK[b.pathType] ||
    typed(a) - typed(b) ||
    a.pathIndex - b.pathIndex
  );
}

export function orderRules(
  rules: readonly RuleDraft[],
  order: 'specification' | 'reference',
): readonly RuleDraft[] {
  return [...rules].sort(order === 'reference' ? byReference : bySpecification);
}
