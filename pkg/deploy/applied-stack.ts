/**
 * What AWS holds right after an apply that succeeded in full: the desired stack, with the
 * cloud identifiers the apply used or created. Kept by the DiscoveryCache so the next
 * reconcile of an unchanged group verifies (1 + L reads) instead of discovering in full
 * (12–16 reads): a new Ingress then costs its creation and one cheap check.
 *
 * Only when every step ran does the apply make AWS match the desired stack in all the
 * planner compares; so `null` (discover in full next time) whenever that is in doubt: a
 * step skipped, a frozen member (its resources are in AWS, not in the desired stack), a
 * reference the apply did not record, targets unknown.
 *
 * Stack-tagged backend rules: none after an apply (they are cluster-level now, and the
 * plan deletes any an earlier version left). The caller still plans the desired stack
 * against the result before keeping it: anything this construction gets wrong shows as
 * a non-empty plan, and then nothing is kept.
 */
import type {
  ActualListener,
  ActualListenerRule,
  ActualSecurityGroup,
  ActualStack,
  ActualTargetGroup,
  Stack,
} from '../model/index.ts';
import type { ApplyState } from './resolve.ts';

function withArns<T extends { readonly id: string }, A>(
  items: readonly T[],
  arns: ReadonlyMap<string, string>,
  make: (item: T, arn: string) => A,
): A[] | null {
  const out: A[] = [];
  for (const item of items) {
    const arn = arns.get(item.id);
    if (arn === undefined || arn === '') return null;
    out.push(make(item, arn));
  }
  return out;
}

/** The stack as the apply left it, or `null` when that is not known for sure. */
export function stackAfterApply(
  desired: Stack,
  state: ApplyState,
  skipped: readonly string[],
): ActualStack | null {
  if (skipped.length > 0 || desired.frozenMembers.length > 0) return null;
  const lb = desired.loadBalancer;
  if (lb === null || state.loadBalancerArn === null || state.dnsName === null) return null;
  const listeners = withArns(desired.listeners, state.listeners, (l, arn): ActualListener => ({
    ...l,
    arn,
  }));
  const rules = withArns(desired.rules, state.rules, (r, arn): ActualListenerRule => ({
    ...r,
    arn,
  }));
  if (desired.targetGroups.some((tg) => tg.targets === null)) return null;
  const targetGroups = withArns(
    desired.targetGroups,
    state.targetGroups,
    (tg, arn): ActualTargetGroup => ({ ...tg, arn, targets: tg.targets ?? [] }),
  );
  const securityGroups = withArns(
    desired.securityGroups,
    state.securityGroups,
    (sg, groupId): ActualSecurityGroup => ({ ...sg, groupId }),
  );
  if (listeners === null || rules === null || targetGroups === null || securityGroups === null) {
    return null;
  }
  return {
    id: desired.id,
    loadBalancer: { ...lb, arn: state.loadBalancerArn, dnsName: state.dnsName },
    listeners,
    rules,
    targetGroups,
    securityGroups,
    backendRules: [],
    ...(desired.addons !== undefined ? { addons: state.addons } : {}),
  };
}
