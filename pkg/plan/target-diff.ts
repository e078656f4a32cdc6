/**
 * The one rule for target registration, shared by every path that keeps a target group's
 * targets (an Ingress's plan, the Ingress targets-only reconcile, a TargetGroupBinding):
 * register what is desired and missing, deregister what is present and not desired.
 *
 * A target group shared with other clusters (`multi-cluster-target-group`,
 * `multiClusterTargetGroup`) holds targets we never registered: with `owned` given, only
 * the targets in it are ever deregistered; a target nobody told us about stays.
 */
import type { Target } from '../model/index.ts';

export function targetKey(target: Target): string {
  return `${target.id}:${String(target.port)}`;
}

export interface TargetDiff {
  readonly register: readonly Target[];
  readonly deregister: readonly Target[];
}

/**
 * @param owned target keys (`targetKey`) this cluster registered; `undefined` = the
 *   group is ours alone and every undesired target goes.
 */
export function targetDiff(
  desired: readonly Target[],
  current: readonly Target[],
  owned?: ReadonlySet<string>,
): TargetDiff {
  const have = new Set(current.map(targetKey));
  const want = new Set(desired.map(targetKey));
  const register: Target[] = [];
  for (const t of desired) {
    const key = targetKey(t);
    if (have.has(key)) continue;
    have.add(key);
    register.push(t);
  }
  const deregister = current.filter(
    (t) => !want.has(targetKey(t)) && (owned === undefined || owned.has(targetKey(t))),
  );
  return { register, deregister };
}
